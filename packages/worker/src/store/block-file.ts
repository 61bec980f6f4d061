// The on-disk layout of the block store and its in-memory records. A block is the file
// `<tier root>/eddy/<runtime>/<key[0..2]>/<key>.<crc32c as 8 hex>` (the root is the tier's
// directory, or a private subdirectory of a shared one: tier-dirs.ts): the checksum travels in the name,
// so it is committed by the same atomic rename as the bytes and a local reader gets one plain file
// holding exactly the block. Writes and demotions go to `.tmp-<key>-<random>` first.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { TierConfig } from './tier-config.js';

/** A block file name: key and CRC32C. */
export const BLOCK_FILE_RE = /^([A-Za-z0-9_-]{2,128})\.([0-9a-f]{8})$/;
export const TEMP_PREFIX = '.tmp-';

export interface TierState {
  index: number;
  cfg: TierConfig;
  /** Real path of the tier's directory (cfg.path, or its private subdirectory when cfg.path is shared). */
  root: string;
  /** Where the blocks are: `<root>/eddy/<runtime>`. */
  dir: string;
  /** Bytes of block files on disk (including dead files still held by readers) plus reservations. */
  used: number;
  reserved: number;
  /** Current blocks of this tier in recency order, least recent first. */
  lru: Map<string, BlockFile>;
}

/** One block file in one tier, as the index knows it. */
export class BlockFile {
  refs = 0;
  /** No longer the current copy of its key: unlinked once the last reader releases it. */
  dead = false;
  tick = 0;
  verifying: Promise<boolean> | undefined;
  /**
   * MEM tier only: the file's identity (inode, size, mtime, ctime) when this process last knew it
   * held its checksummed bytes (written here, or verified). See `BlockStore.acquire`.
   */
  identity: string | undefined;
  constructor(readonly key: string, readonly tier: TierState, readonly size: number, readonly crc: number, public verified: boolean) {}
  get path(): string { return blockFilePath(this.tier.dir, this.key, this.crc); }
}

function crcHex(crc: number): string { return (crc >>> 0).toString(16).padStart(8, '0'); }

/** The shard directory of `key` in a tier directory. */
export function shardDir(dir: string, key: string): string { return join(dir, key.slice(0, 2)); }

export function blockFilePath(dir: string, key: string, crc: number): string { return join(shardDir(dir, key), `${key}.${crcHex(crc)}`); }

/** A fresh temp file name for `key` in its shard (removed by the rescan if a crash leaves it). */
export function tempFilePath(dir: string, key: string): string {
  return join(shardDir(dir, key), `${TEMP_PREFIX}${key}-${randomBytes(6).toString('hex')}`);
}

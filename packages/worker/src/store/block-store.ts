// The worker's tiered block store: block files in MEM/SSD/HDD directories, fastest first, with
// reserve-before-write quotas, high/low watermark LRU demotion, CRC32C integrity and deferred
// deletes for blocks that are being read. The in-memory index is soft state rebuilt by a rescan.
// This class is the store's surface; the parts live beside it: the on-disk layout
// (block-file.ts), the index (block-index.ts), room in the tiers (tier-space.ts), checksums
// (block-checksum.ts), the rescan (tier-scan.ts) and writing (block-writer.ts).
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { EddyError, UnavailableError, ValidationError, silentLogger, type Logger } from '@eddy/core';
import type { proto } from '@eddy/protocol';
import { WORKER_DEFAULTS } from '../config/worker-defaults.js';
import { fileCrc32c, fileIdentity } from './block-checksum.js';
import { BlockFile, shardDir, tempFilePath, type TierState } from './block-file.js';
import { BlockIndex, type BlockDelta, type BlockHandle } from './block-index.js';
import { BLOCK_KEY_RE, checkBlockKey } from './block-key.js';
import { BlockReservation } from './block-reservation.js';
import { BlockWriter, type BlockCommitter } from './block-writer.js';
import { validateTiers, type TierConfig } from './tier-config.js';
import { prepareTiers, rescanTiers, type PreparedTier } from './tier-scan.js';
import { TierSpace, type EvictEvent } from './tier-space.js';

export type { BlockHandle } from './block-index.js';
export type { BlockWriter } from './block-writer.js';
export type { BlockReservation } from './block-reservation.js';
export type { EvictEvent } from './tier-space.js';

export interface BlockStoreOptions {
  /** Runtime name; separates the blocks of runtimes sharing a tier directory. */
  runtime: string;
  tiers: TierConfig[];
  logger?: Logger;
  /** fsync block files of disk tiers before the rename (MEM tiers never need it). Default true. */
  fsync?: boolean;
  /** Called synchronously just before a block leaves a tier by eviction (tests check LRU order here). */
  onEvict?: (event: EvictEvent) => void;
}

export interface BlockSnapshotEntry { key: string; size: number; tick: number; refs: number }
export interface TierSnapshot {
  medium: string; quotaBytes: number; high: number; low: number; usedBytes: number; reservedBytes: number; blocks: BlockSnapshotEntry[];
}

export class BlockStore {
  readonly #index: BlockIndex;
  readonly #space: TierSpace;
  readonly #logger: Logger;
  /** What writers may do to the store; not part of its public surface. */
  readonly #committer: BlockCommitter;
  #closed = false;

  private constructor(runtime: string, tiers: PreparedTier[], options: BlockStoreOptions, logger: Logger) {
    this.#logger = logger;
    const states = tiers.map(({ cfg, root }, index): TierState => ({
      index, cfg, root, dir: join(root, 'eddy', runtime), used: 0, reserved: 0, lru: new Map(),
    }));
    this.#index = new BlockIndex(states, logger);
    this.#space = new TierSpace(this.#index, { logger, fsync: options.fsync ?? WORKER_DEFAULTS.fsync, onEvict: options.onEvict });
    this.#committer = {
      install: (key, tier, size, crc, tmp) => this.#install(key, tier, size, crc, tmp),
      cancel: (tier, size) => this.#space.cancel(tier, size),
      shouldFsync: (tier) => this.#space.shouldFsync(tier),
    };
  }

  /**
   * Checks or creates the tier directories (UnsafeTierDirectoryError for one another user could
   * write to) and rebuilds the index from the files found there.
   */
  static async open(options: BlockStoreOptions): Promise<BlockStore> {
    if (typeof options.runtime !== 'string' || !BLOCK_KEY_RE.test(options.runtime)) {
      throw new ValidationError(`runtime must match ${BLOCK_KEY_RE.source}`, 'runtime');
    }
    const logger = options.logger ?? silentLogger();
    const tiers = await prepareTiers(validateTiers(options.tiers), options.runtime, logger);
    const store = new BlockStore(options.runtime, tiers, options, logger);
    await rescanTiers(store.#index, logger);
    await store.#space.enforceQuotas();
    return store;
  }

  get tierCount(): number { return this.#index.tiers.length; }
  get blockCount(): number { return this.#index.size; }
  has(key: string): boolean { return this.#index.has(key); }
  keys(): string[] { return this.#index.keys(); }
  /** Size of a held block, or undefined. */
  sizeOf(key: string): number | undefined { return this.#index.get(key)?.size; }

  /**
   * Tier capacity and usage as the control plane reports it. `path` is the real path of the
   * directory holding the tier's block files (the private subdirectory of a shared one): local
   * clients open block files only under it.
   */
  tierInfo(): proto.TierInfo[] {
    return this.#index.tiers.map((t) => ({
      medium: t.cfg.medium, path: t.root, quotaBytes: t.cfg.quotaBytes, usedBytes: t.used, high: t.cfg.high, low: t.cfg.low,
    }));
  }

  /** Usage, quota and block count per tier, fastest first (cheap: read at every metrics scrape). */
  tierUsage(): Array<{ medium: string; quotaBytes: number; usedBytes: number; blocks: number }> {
    return this.#index.tiers.map((t) => ({ medium: t.cfg.medium, quotaBytes: t.cfg.quotaBytes, usedBytes: t.used, blocks: t.lru.size }));
  }

  snapshot(): TierSnapshot[] {
    return this.#index.tiers.map((t) => ({
      medium: t.cfg.medium, quotaBytes: t.cfg.quotaBytes, high: t.cfg.high, low: t.cfg.low, usedBytes: t.used, reservedBytes: t.reserved,
      blocks: [...t.lru.values()].map((f) => ({ key: f.key, size: f.size, tick: f.tick, refs: f.refs })),
    }));
  }

  /** Keys added and removed since the last call (for heartbeats). */
  drainDelta(): BlockDelta { return this.#index.drainDelta(); }

  /** Puts back a delta whose heartbeat failed, unless newer changes superseded it. */
  restoreDelta(delta: BlockDelta): void { this.#index.restoreDelta(delta); }

  /**
   * Blocks the master pins: a mount holds their version open, so eviction never drops (nor
   * demotes) them. They still count against the tier; `remove` still drops them.
   */
  pin(keys: Iterable<string>): void { this.#index.pin(keys); }
  unpin(keys: Iterable<string>): void { this.#index.unpin(keys); }
  /** Forgets every pin (a new registration: the master re-sends those that still hold). */
  clearPins(): void { this.#index.clearPins(); }
  get pinnedCount(): number { return this.#index.pinnedCount; }

  /**
   * Pins the current file of `key` and marks it recently used. The checksum is verified on the
   * first use after start (or every time with `verify: 'always'`, as for local readers); a block
   * that fails is deleted, reported removed, and null is returned, as for a missing block.
   *
   * One exception to 'always': a MEM-tier file whose identity (inode, size, mtime, ctime) is
   * unchanged since this process wrote or verified it is not hashed again. tmpfs bytes live in
   * RAM and change only through a write or a replacement, which changes that identity; re-hashing
   * them caught nothing else and cost a full read plus CRC per 16 MiB block handed out (on two
   * cores, half the warm read throughput). Disk tiers, where bytes rot at rest, are always hashed.
   */
  async acquire(key: string, options: { verify?: 'first' | 'always' } = {}): Promise<BlockHandle | null> {
    for (;;) {
      const f = this.#index.get(key);
      if (!f || this.#closed) return null;
      f.refs++;
      this.#index.touch(f);
      if (f.verified && options.verify !== 'always') return this.#index.handleFor(f);
      if (f.verified && f.identity !== undefined && (await fileIdentity(f.path).catch(() => undefined)) === f.identity) return this.#index.handleFor(f);
      const ok = await this.#verify(f);
      if (ok) return this.#index.handleFor(f);
      // Awaited: when acquire says "no such block", its corrupt file is already gone.
      await this.#index.unref(f);
      // The corrupt copy is gone; a concurrent writer may have installed a fresh one.
      if (this.#index.get(key) === f) return null;
    }
  }

  /** Reserves room for a block of `size` bytes and returns a writer for it (temp file → rename). */
  async createWriter(key: string, size: number): Promise<BlockWriter> {
    checkBlockKey(key);
    if (!Number.isSafeInteger(size) || size < 0) throw new ValidationError(`size must be a non-negative integer, got ${size}`, 'size');
    if (this.#closed) throw new UnavailableError('block store is closed');
    const tier = await this.#space.reserve(size);
    const tmp = tempFilePath(tier.dir, key);
    let fh: FileHandle;
    try {
      await mkdir(shardDir(tier.dir, key), { recursive: true, mode: 0o700 });
      fh = await open(tmp, 'wx', 0o600);
    } catch (err) {
      this.#space.cancel(tier, size);
      throw new EddyError('INTERNAL', `cannot create block file in ${tier.cfg.medium} tier: ${(err as Error).message}`, { cause: err });
    }
    return new BlockWriter(this.#committer, key, size, tier, tmp, fh);
  }

  /**
   * Reserves room for a block of `size` bytes that will arrive whole in memory; its `commit`
   * writes, checksums and installs it in one step (no temp file until then).
   */
  async reserve(key: string, size: number): Promise<BlockReservation> {
    checkBlockKey(key);
    if (!Number.isSafeInteger(size) || size < 0) throw new ValidationError(`size must be a non-negative integer, got ${size}`, 'size');
    if (this.#closed) throw new UnavailableError('block store is closed');
    return new BlockReservation(this.#committer, key, size, await this.#space.reserve(size));
  }

  /** Stores a whole block held in memory. */
  async put(key: string, data: Uint8Array): Promise<void> {
    const w = await this.createWriter(key, data.length);
    try {
      await w.write(data);
      await w.commit();
    } catch (err) {
      await w.abort();
      throw err;
    }
  }

  /** Drops a block (deferred while it is being read). Returns whether it was held. */
  async remove(key: string): Promise<boolean> {
    const f = this.#index.get(key);
    if (!f) return false;
    await this.#index.retire(f, true);
    return true;
  }

  /** Stops accepting writes and waits for an eviction in progress. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#space.withLock(async () => undefined);
  }

  /** Checks the file of `f` once for all concurrent callers; a failing block is retired. */
  async #verify(f: BlockFile): Promise<boolean> {
    f.verifying ??= (async () => {
      let ok: boolean;
      const inMemory = f.tier.cfg.medium === 'MEM';
      let identity: string | undefined;
      try {
        // Taken before hashing: a write during the hash changes it, so the next hand-off hashes again.
        if (inMemory) identity = await fileIdentity(f.path);
        const got = await fileCrc32c(f.path, { inMemory });
        ok = got.crc === f.crc && got.size === f.size;
      } catch {
        ok = false;
      }
      f.verifying = undefined;
      if (ok) {
        f.verified = true;
        f.identity = identity;
      } else {
        this.#logger.warn({ key: f.key, tier: f.tier.cfg.medium }, 'block failed checksum verification; deleting it');
        if (!f.dead) await this.#index.retire(f, true);
      }
      return ok;
    })();
    return await f.verifying;
  }

  /** A writer's finished temp file becomes the current block of `key`. */
  async #install(key: string, tier: TierState, size: number, crc: number, tmp: string): Promise<void> {
    this.#space.settle(tier, size);
    const f = new BlockFile(key, tier, size, crc, true);
    try {
      await rename(tmp, f.path);
    } catch (err) {
      tier.used -= size;
      await rm(tmp, { force: true });
      throw new EddyError('INTERNAL', `cannot commit block file: ${(err as Error).message}`, { cause: err });
    }
    const old = this.#index.get(key);
    if (old && old.path === f.path) {
      // Same bytes (same crc) in the same tier: the rename replaced the file in place.
      tier.used -= size;
      this.#index.touch(old);
      return;
    }
    // The bytes were checksummed as they were written; a MEM-tier file is trusted while it stays this file.
    if (tier.cfg.medium === 'MEM') f.identity = await fileIdentity(f.path).catch(() => undefined);
    if (old) await this.#index.retire(old, false);
    this.#index.setCurrent(f, true);
  }
}

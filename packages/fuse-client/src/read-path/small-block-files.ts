// Small blocks (under shortCircuitMinBytes) that a worker on this host holds, read straight from its
// tier file with no pin and no data-channel request. A small block is read whole, once per open
// (block-source.ts `fillAtOpen`), and a data-channel READ of it cost the worker 1.3–2 ms of CPU,
// while a pin (LOCAL_OK, the worker's checksum of the file, a release) cost more than the copy.
//
// No pin is needed because a block file never changes once it has its name: the worker writes it
// under a temp name and commits it by an atomic rename to `<key>.<crc32c>` (worker
// store/block-file.ts), and the key is derived from the object's version. So the mount finds the
// name itself, with a readdir of the block's shard `<tier>/eddy/<runtime>/<key[0..2]>` (the
// store's layout: the only part of it this file knows), opens the file through the same checks as
// a pinned one (local-block-opener.ts), reads it whole and checks its CRC32C against the name.
// The names a listing shows are remembered (a bounded LRU), so the opens of the shard's other
// blocks try their file at once; a remembered name that is gone, refused or wrong only costs the
// listing it saved.
// If the worker evicts the file meanwhile, either the open finds nothing (ENOENT) or the open fd
// keeps the whole old inode, whose bytes are still the block's; bytes that do not match the name
// (a file corrupted in place) are refused and counted. In every one of those cases the caller reads
// the block as before (the data channel).
//
// What the worker does not see: these reads do not make the block recent in its LRU nor count as
// its hits (the dataset's hit ratios come from the mount's own reports, which count them as local).
//
// The readdir's cost grows with the shard: keys are hashes, so every shard of a tier holds about
// 1/256 of its blocks, and a listing of 4000 names (1M blocks) cost ~7 ms of CPU against ~0.4 ms
// for 4 or 128 (bench/results/2026-12-01-smallwarm2-profile.md). A tier whose shard listing is
// longer than MAX_SHARD_NAMES is left alone for LARGE_TIER_MS: its small blocks are read through
// the data channel as before.
//
// MEM tiers (tmpfs) are read with synchronous calls: each is a memory operation of a few
// microseconds, less than the thread-pool round trip of its async form. With the patched
// fuse-native, a tmpfs file is opened, checked, read and its CRC32C checked in one native call
// (`readBlockFile`, fuse-native.c): the same checks, stricter about links (none is followed
// anywhere below the tier directory), without Node's per-call costs. Other tiers go through the async
// opener (a disk read must not stop the event loop).
import { closeSync, readdirSync, readSync, statfsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { LRUCache } from 'lru-cache';
import { blockLength, type Logger } from '@eddy/core';
import type { proto } from '@eddy/protocol';
import { onThisHost, selectHolders, type HolderView } from './holders.js';
import { LocalBlockOpener } from './local-block-opener.js';
import { LocalBlockRefusedError } from './local-block-refused-error.js';
import type { BlockPlace } from './pinned-version.js';
import type { ReadStats } from './sources.js';
import type { TierRoots } from './worker-tier-roots.js';

const TMPFS_MAGIC = 0x01021994;
/** `<key>.<crc32c as 8 hex>`, the store's block file name. */
const NAME_RE = /^([0-9A-Za-z_-]+)\.([0-9a-f]{8})$/;
/** Names in one shard beyond which finding a block by its shard listing costs more than a READ (~256 × 512 blocks in a tier). */
const MAX_SHARD_NAMES = 512;
const LARGE_TIER_MS = 60_000;
/** Block file names remembered from shard listings (about 100 bytes each). */
const KNOWN_NAMES = 65_536;

/**
 * Reads the whole block file `rel` (below tier directory `root`) into `into`, with the checks of
 * local-block-opener.ts and its CRC32C against `crc`, in one call (the patched fuse-native's
 * readBlockFile, fuse-native.c): READ_OK, READ_CORRUPT, a refusal (READ_REFUSALS), or -errno of the open
 * that failed.
 */
export type ReadBlockFile = (root: string, rel: string, into: Buffer, crc: number) => number;

const READ_OK = 0;
const READ_CORRUPT = 1;
const READ_REFUSALS: Record<number, string> = { 2: 'not a regular file', 3: 'it has more than one link', 4: 'not owned by the owner of its tier directory', 5: 'not the block\'s length' };
const { ENOENT, ELOOP, ENOTDIR } = constants.errno;

export interface SmallBlockFilesOptions {
  tierRoots: TierRoots;
  /** The runtime the workers serve: their block files are under `<tier>/eddy/<runtime>`. */
  runtime: string;
  view: HolderView;
  stats: ReadStats;
  logger: Logger;
  /** Reads a tmpfs block file in one native call; none: with Node's fs calls and @node-rs/crc32. */
  readBlockFile?: ReadBlockFile | undefined;
}

export class SmallBlockFiles {
  readonly #o: SmallBlockFilesOptions;
  readonly #opener: LocalBlockOpener;
  /** Whether each tier directory is on tmpfs (asked once per directory). */
  readonly #inMemory = new Map<string, boolean>();
  /** Tier directories whose last shard listing was too long, until when they are left alone. */
  readonly #largeUntil = new Map<string, number>();
  /**
   * Block file names seen in shard listings, by tier directory and key: the open of a warm small
   * file tries the name it knows (checked as any other) before it lists the block's shard.
   */
  readonly #names = new LRUCache<string, string>({ max: KNOWN_NAMES });
  /** `refused <worker>` / `corrupt <worker>`: logged once each. */
  readonly #logged = new Set<string>();

  constructor(options: SmallBlockFilesOptions) {
    this.#o = options;
    this.#opener = new LocalBlockOpener(options.tierRoots);
  }

  /**
   * The whole of block `place` (a buffer of its own) from the tier file of a worker on this host
   * that holds it (the holders the master named, then the preferred worker, which may have cached
   * it since); null when none has a file whose bytes match its name.
   */
  async read(place: BlockPlace): Promise<Buffer | null> {
    const { ref } = place;
    if (this.#o.view.hostId === '' || !ref.key) return null;
    for (const address of this.#candidates(place)) {
      const roots = await this.#o.tierRoots.rootsOf(address);
      for (const root of roots) {
        const data = this.#isInMemory(root) ? this.#fromMemoryTier(address, root, ref) : await this.#fromDiskTier(address, root, ref);
        if (data) return data;
      }
    }
    return null;
  }

  /**
   * The same as read() with no await, for an open of a warm small file (BlockSource.fillAtOpen's first try):
   * undefined when it would have to wait (a worker's tier directories not known without asking the
   * master, or a tier on disk), and the caller then reads as usual.
   */
  readNow(place: BlockPlace): Buffer | null | undefined {
    const { ref } = place;
    if (this.#o.view.hostId === '' || !ref.key) return null;
    for (const address of this.#candidates(place)) {
      const roots = this.#o.tierRoots.rootsNow(address);
      if (roots === undefined) return undefined;
      for (const root of roots) {
        if (!this.#isInMemory(root)) return undefined;
        const data = this.#fromMemoryTier(address, root, ref);
        if (data) return data;
      }
    }
    return null;
  }

  /** Workers on this host that hold the block (the master said) or should cache it (and may have since). */
  #candidates(place: BlockPlace): string[] {
    const candidates = selectHolders(place, this.#o.view).filter((h) => onThisHost(h, this.#o.view)).map((h) => h.dataAddress);
    const p = place.preferred;
    if (p && p.dataAddress !== '' && onThisHost(p, this.#o.view) && !this.#o.view.isSuspect(p.dataAddress) && !candidates.includes(p.dataAddress)) {
      candidates.push(p.dataAddress);
    }
    return candidates;
  }

  /** A tier on tmpfs: every call synchronous (see the header). The name found last time is tried before a listing. */
  #fromMemoryTier(address: string, root: string, ref: proto.BlockRef): Buffer | null {
    const shard = this.#shard(root, ref);
    if (shard === undefined) return null;
    const memo = `${root}\0${ref.key!}`;
    const known = this.#names.get(memo);
    if (known !== undefined) {
      const data = this.#fromMemoryFile(address, root, shard, known, ref);
      if (data) return data;
      this.#names.delete(memo);
    }
    let names: string[];
    try {
      names = readdirSync(shard);
    } catch {
      return null;
    }
    for (const name of this.#named(root, names, ref)) {
      if (name === known) continue;
      const data = this.#fromMemoryFile(address, root, shard, name, ref);
      if (!data) continue;
      this.#names.set(memo, name);
      return data;
    }
    return null;
  }

  /** Block `ref` from its file `name` in `shard` on tmpfs; null when it is gone, refused or not the block's bytes (those two counted). */
  #fromMemoryFile(address: string, root: string, shard: string, name: string, ref: proto.BlockRef): Buffer | null {
    const path = join(shard, name);
    const native = this.#o.readBlockFile;
    if (native) {
      const data = Buffer.allocUnsafeSlow(blockLength(Number(ref.fileSize), Number(ref.blockSize), ref.index ?? 0));
      const status = native(root, `${this.#shardOf(ref)}/${name}`, data, crcOfName(name));
      if (status === READ_OK) return data;
      if (status === READ_CORRUPT) this.#corrupt(address, path);
      else if (status !== -ENOENT) this.#refused(address, refusal(path, root, status));
      return null;
    }
    let data: Buffer | null;
    try {
      data = readWholeSync(root, path, ref);
    } catch (err) {
      this.#refused(address, err);
      return null;
    }
    return this.#matches(address, path, crcOfName(path), data) ? data : null;
  }

  async #fromDiskTier(address: string, root: string, ref: proto.BlockRef): Promise<Buffer | null> {
    const shard = this.#shard(root, ref);
    if (shard === undefined) return null;
    let names: string[];
    try {
      names = await readdir(shard);
    } catch {
      return null;
    }
    for (const name of this.#named(root, names, ref)) {
      const path = join(shard, name);
      let data: Buffer | null;
      try {
        data = await this.#readWhole(address, path, ref);
      } catch (err) {
        this.#refused(address, err);
        continue;
      }
      if (this.#matches(address, path, crcOfName(name), data)) return data;
    }
    return null;
  }

  /** The block's shard directory in `root`, unless that tier is left alone for now (its shards are too long to list). */
  #shard(root: string, ref: proto.BlockRef): string | undefined {
    if ((this.#largeUntil.get(root) ?? 0) > Date.now()) return undefined;
    return join(root, this.#shardOf(ref));
  }

  /** The block's shard below a tier directory: `eddy/<runtime>/<key[0..2]>` (the store's layout). */
  #shardOf(ref: proto.BlockRef): string {
    return `eddy/${this.#o.runtime}/${ref.key!.slice(0, 2)}`;
  }

  /**
   * The names in a shard listing that are files of block `ref` (`<key>.<crc32c>`: crcOfName reads the CRC).
   * Every block file name of the listing is remembered, for the opens of its neighbours.
   */
  #named(root: string, names: string[], ref: proto.BlockRef): string[] {
    if (names.length > MAX_SHARD_NAMES) this.#largeUntil.set(root, Date.now() + LARGE_TIER_MS);
    const key = ref.key!;
    const out: string[] = [];
    for (const name of names) {
      const m = NAME_RE.exec(name);
      if (!m) continue;
      if (m[1] === key) out.push(name);
      else this.#names.set(`${root}\0${m[1]!}`, name);
    }
    return out;
  }

  /** Whether a block file's bytes are the block's: as long, and with the CRC32C its name states (else counted and logged). */
  #matches(address: string, path: string, crc: number, data: Buffer | null): data is Buffer {
    if (data !== null && crc32c(data) >>> 0 === crc) return true;
    this.#corrupt(address, path);
    return false;
  }

  /** A block file whose bytes are not the ones its name says: counted, and logged once per worker. */
  #corrupt(address: string, path: string): void {
    this.#o.stats.localCorrupt++;
    this.#logOnce(`corrupt ${address}`, address, 'a local block file does not hold the bytes its name says; reading the block through the data channel', { path });
  }

  /** A block file that could not be read: evicted since the readdir (a miss), or refused (counted and logged); rethrows anything else. */
  #refused(address: string, err: unknown): void {
    if (!(err instanceof LocalBlockRefusedError)) throw err;
    if (err.gone) return;
    this.#o.stats.localRefused++;
    this.#logOnce(`refused ${address}`, address, 'refused a local block file; reading the block through the data channel', { err });
  }

  /** A file on a disk tier, opened and checked by the async opener; null when shorter than its block. */
  async #readWhole(address: string, path: string, ref: proto.BlockRef): Promise<Buffer | null> {
    const { fh } = await this.#opener.open(address, path, ref);
    try {
      const length = blockLength(Number(ref.fileSize), Number(ref.blockSize), ref.index ?? 0);
      const buf = Buffer.allocUnsafeSlow(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await fh.read(buf, done, length - done, done);
        if (bytesRead === 0) return null;
        done += bytesRead;
      }
      return buf;
    } finally {
      await fh.close().catch(() => undefined);
    }
  }

  #isInMemory(root: string): boolean {
    let mem = this.#inMemory.get(root);
    if (mem === undefined) {
      try {
        mem = statfsSync(root).type === TMPFS_MAGIC;
      } catch {
        mem = false;
      }
      this.#inMemory.set(root, mem);
    }
    return mem;
  }

  #logOnce(what: string, address: string, msg: string, fields: Record<string, unknown>): void {
    if (this.#logged.has(what)) return;
    this.#logged.add(what);
    this.#o.logger.warn({ ...fields, worker: address }, msg);
  }
}

/** The refusal readBlockFile's `status` stands for. */
function refusal(path: string, root: string, status: number): LocalBlockRefusedError {
  const why = READ_REFUSALS[status] ?? (status === -ELOOP ? 'a link on its path'
    : status === -ENOTDIR ? 'a link or a file where a directory of its path should be' : `it cannot be opened (errno ${-status})`);
  return new LocalBlockRefusedError(`refused local block file ${path} from tier directory ${root}: ${why}`, path, false);
}

/** The CRC32C a block file's name `<key>.<crc32c as 8 hex>` states. */
function crcOfName(path: string): number {
  return Number.parseInt(path.slice(-8), 16);
}

/** A tmpfs file read whole with synchronous calls after the opener's checks; null when shorter than its block. */
function readWholeSync(root: string, path: string, ref: proto.BlockRef): Buffer | null {
  const fd = LocalBlockOpener.openSync(root, path, ref);
  try {
    const length = blockLength(Number(ref.fileSize), Number(ref.blockSize), ref.index ?? 0);
    const buf = Buffer.allocUnsafeSlow(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, buf, done, length - done, done);
      if (n === 0) return null;
      done += n;
    }
    return buf;
  } finally {
    closeSync(fd);
  }
}

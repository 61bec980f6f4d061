// The worker's tiered block store: block files in MEM/SSD/HDD directories, fastest first, with
// reserve-before-write quotas, high/low watermark LRU demotion, CRC32C integrity and deferred
// deletes for blocks that are being read. The in-memory index is soft state rebuilt by a rescan.
//
// On disk a block is `<tier>/eddy/<runtime>/<key[0..2]>/<key>.<crc32c as 8 hex>`: the checksum
// travels in the name, so it is committed by the same atomic rename as the bytes and a local
// reader gets one plain file holding exactly the block.
import { closeSync, createReadStream, openSync, readSync, writeSync } from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { mkdir, open, readdir, rename, rm, stat, statfs, unlink, copyFile, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { EddyError, NoSpaceError, UnavailableError, ValidationError, silentLogger, type Logger } from '@eddy/core';
import { type proto } from '@eddy/protocol';
import { validateTiers, type TierConfig } from './tier-config.js';

/** Keys are file names: a conservative alphabet keeps wire-supplied keys from escaping the tier. */
export const BLOCK_KEY_RE = /^[A-Za-z0-9_-]{2,128}$/;
const BLOCK_FILE_RE = /^([A-Za-z0-9_-]{2,128})\.([0-9a-f]{8})$/;
const TEMP_PREFIX = '.tmp-';

export function checkBlockKey(key: unknown, field = 'key'): string {
  if (typeof key !== 'string' || !BLOCK_KEY_RE.test(key)) throw new ValidationError(`${field} must match ${BLOCK_KEY_RE.source}`, field);
  return key;
}

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

export interface EvictEvent {
  key: string;
  fromTier: number;
  /** Index of the tier it moves to, or null when it is dropped. */
  toTier: number | null;
}

/** A pinned block file: it is not deleted until `release()` (idempotent). */
export interface BlockHandle {
  readonly key: string;
  readonly path: string;
  readonly size: number;
  readonly crc: number;
  readonly tierIndex: number;
  readonly medium: string;
  release(): void;
}

export interface BlockSnapshotEntry { key: string; size: number; tick: number; refs: number }
export interface TierSnapshot { medium: string; quotaBytes: number; high: number; low: number; usedBytes: number; reservedBytes: number; blocks: BlockSnapshotEntry[] }

export interface TierState {
  index: number;
  cfg: TierConfig;
  dir: string;
  /** Bytes of block files on disk (including dead files still held by readers) plus reservations. */
  used: number;
  reserved: number;
  /** Current blocks of this tier in recency order, least recent first. */
  lru: Map<string, BlockFile>;
}

class BlockFile {
  refs = 0;
  /** No longer the current copy of its key: unlinked once the last reader releases it. */
  dead = false;
  tick = 0;
  verifying: Promise<boolean> | undefined;
  /**
   * MEM tier only: the file's identity (inode, size, mtime, ctime) when this process last knew it
   * held its checksummed bytes (written here, or verified). See `acquire`.
   */
  identity: string | undefined;
  constructor(readonly key: string, readonly tier: TierState, readonly size: number, readonly crc: number, public verified: boolean) {}
  get path(): string { return blockFilePath(this.tier.dir, this.key, this.crc); }
}

function crcHex(crc: number): string { return (crc >>> 0).toString(16).padStart(8, '0'); }
function blockFilePath(dir: string, key: string, crc: number): string { return join(dir, key.slice(0, 2), `${key}.${crcHex(crc)}`); }

/** Inode, size, mtime and ctime (ns) of a file: any write to it, or a replacement, changes it. */
async function fileIdentity(path: string): Promise<string> {
  const st = await stat(path, { bigint: true });
  return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/**
 * CRC32C of a whole file. Streamed through the thread pool for disk tiers; for a MEM tier (tmpfs,
 * where a read is a memory copy) read inline in 1 MiB pieces into one buffer, yielding to the
 * event loop every 4 MiB: local readers wait on this check every time a block is handed to them,
 * and the stream's per-chunk round trips made it take 3-6 times as long (6-30 ms per 16 MiB).
 */
export async function fileCrc32c(path: string, options: { inMemory?: boolean } = {}): Promise<{ crc: number; size: number }> {
  let crc = 0;
  let size = 0;
  if (options.inMemory) {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      for (let n = readSync(fd, buf, 0, buf.length, size); n > 0; n = readSync(fd, buf, 0, buf.length, size)) {
        crc = crc32c(buf.subarray(0, n), crc);
        size += n;
        if (size % (4 << 20) === 0) await yieldToEventLoop();
      }
    } finally {
      closeSync(fd);
    }
    return { crc: crc >>> 0, size };
  }
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    crc = crc32c(chunk as Buffer, crc);
    size += (chunk as Buffer).length;
  }
  return { crc: crc >>> 0, size };
}

export class BlockStore {
  private readonly tiers: TierState[];
  private readonly entries = new Map<string, BlockFile>();
  private readonly logger: Logger;
  private readonly fsync: boolean;
  private readonly onEvict: ((e: EvictEvent) => void) | undefined;
  private lockTail: Promise<unknown> = Promise.resolve();
  private clock = 0;
  private added = new Set<string>();
  private removed = new Set<string>();
  private closed = false;

  private constructor(options: BlockStoreOptions, tiers: TierConfig[]) {
    this.logger = options.logger ?? silentLogger();
    this.fsync = options.fsync ?? true;
    this.onEvict = options.onEvict;
    this.tiers = tiers.map((cfg, index) => ({ index, cfg, dir: join(cfg.path, 'eddy', options.runtime), used: 0, reserved: 0, lru: new Map() }));
  }

  /** Creates the tier directories and rebuilds the index from the files found there. */
  static async open(options: BlockStoreOptions): Promise<BlockStore> {
    if (typeof options.runtime !== 'string' || !BLOCK_KEY_RE.test(options.runtime)) {
      throw new ValidationError(`runtime must match ${BLOCK_KEY_RE.source}`, 'runtime');
    }
    const tiers = validateTiers(options.tiers);
    const logger = options.logger ?? silentLogger();
    // A quota larger than the tier's filesystem would let writes hit ENOSPC long before the
    // watermarks evict anything: cap it at the filesystem's size so eviction stays in charge.
    for (const [i, t] of tiers.entries()) {
      await mkdir(t.path, { recursive: true, mode: 0o700 });
      const fs = await statfs(t.path);
      const fsBytes = Number(fs.blocks) * Number(fs.bsize);
      if (fsBytes > 0 && t.quotaBytes > fsBytes) {
        logger.warn({ tier: t.medium, path: t.path, quotaBytes: t.quotaBytes, filesystemBytes: fsBytes }, 'tier quota exceeds its filesystem; capped at the filesystem size');
        tiers[i] = { ...t, quotaBytes: fsBytes };
      }
    }
    const store = new BlockStore(options, tiers);
    await store.rescan();
    return store;
  }

  get tierCount(): number { return this.tiers.length; }
  get blockCount(): number { return this.entries.size; }
  has(key: string): boolean { return this.entries.has(key); }
  keys(): string[] { return [...this.entries.keys()]; }
  /** Size of a held block, or undefined. */
  sizeOf(key: string): number | undefined { return this.entries.get(key)?.size; }

  /** Tier capacity and usage as the control plane reports it. */
  tierInfo(): proto.TierInfo[] {
    return this.tiers.map((t) => ({ medium: t.cfg.medium, path: t.cfg.path, quotaBytes: t.cfg.quotaBytes, usedBytes: t.used, high: t.cfg.high, low: t.cfg.low }));
  }

  snapshot(): TierSnapshot[] {
    return this.tiers.map((t) => ({
      medium: t.cfg.medium, quotaBytes: t.cfg.quotaBytes, high: t.cfg.high, low: t.cfg.low, usedBytes: t.used, reservedBytes: t.reserved,
      blocks: [...t.lru.values()].map((f) => ({ key: f.key, size: f.size, tick: f.tick, refs: f.refs })),
    }));
  }

  /** Keys added and removed since the last call (for heartbeats). */
  drainDelta(): { added: string[]; removed: string[] } {
    const out = { added: [...this.added], removed: [...this.removed] };
    this.added = new Set();
    this.removed = new Set();
    return out;
  }

  /** Puts back a delta whose heartbeat failed, unless newer changes superseded it. */
  restoreDelta(delta: { added: string[]; removed: string[] }): void {
    for (const k of delta.added) if (!this.removed.has(k) && this.entries.has(k)) this.added.add(k);
    for (const k of delta.removed) if (!this.added.has(k) && !this.entries.has(k)) this.removed.add(k);
  }

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
      const f = this.entries.get(key);
      if (!f || this.closed) return null;
      f.refs++;
      this.touch(f);
      const handle = this.handleFor(f);
      if (f.verified && options.verify !== 'always') return handle;
      if (f.verified && f.identity !== undefined && (await fileIdentity(f.path).catch(() => undefined)) === f.identity) return handle;
      const ok = await this.verify(f);
      if (ok) return handle;
      handle.release();
      // The corrupt copy is gone; a concurrent writer may have installed a fresh one.
      if (this.entries.get(key) === f) return null;
    }
  }

  /** Reserves room for a block of `size` bytes and returns a writer for it (temp file → rename). */
  async createWriter(key: string, size: number): Promise<BlockWriter> {
    checkBlockKey(key);
    if (!Number.isSafeInteger(size) || size < 0) throw new ValidationError(`size must be a non-negative integer, got ${size}`, 'size');
    if (this.closed) throw new UnavailableError('block store is closed');
    const tier = await this.reserve(size, 0);
    const shard = join(tier.dir, key.slice(0, 2));
    const tmp = join(shard, `${TEMP_PREFIX}${key}-${randomBytes(6).toString('hex')}`);
    let fh: FileHandle;
    try {
      await mkdir(shard, { recursive: true, mode: 0o700 });
      fh = await open(tmp, 'wx', 0o600);
    } catch (err) {
      this.unreserve(tier, size);
      throw new EddyError('INTERNAL', `cannot create block file in ${tier.cfg.medium} tier: ${(err as Error).message}`, { cause: err });
    }
    return new BlockWriter(this, key, size, tier, tmp, fh);
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
    const f = this.entries.get(key);
    if (!f) return false;
    await this.retire(f, true);
    return true;
  }

  /** Stops accepting writes and waits for an eviction in progress. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.withLock(async () => undefined);
  }

  // ---- internals used by BlockWriter ----

  /** @internal */
  async install(key: string, tier: TierState, size: number, crc: number, tmp: string): Promise<void> {
    this.unreserveOnly(tier, size);
    const f = new BlockFile(key, tier, size, crc, true);
    try {
      await rename(tmp, f.path);
    } catch (err) {
      tier.used -= size;
      await rm(tmp, { force: true });
      throw new EddyError('INTERNAL', `cannot commit block file: ${(err as Error).message}`, { cause: err });
    }
    const old = this.entries.get(key);
    if (old && old.path === f.path) {
      // Same bytes (same crc) in the same tier: the rename replaced the file in place.
      tier.used -= size;
      this.touch(old);
      return;
    }
    // The bytes were checksummed as they were written; a MEM-tier file is trusted while it stays this file.
    if (tier.cfg.medium === 'MEM') f.identity = await fileIdentity(f.path).catch(() => undefined);
    if (old) await this.retire(old, false);
    this.entries.set(key, f);
    this.touch(f);
    this.removed.delete(key);
    this.added.add(key);
  }

  /** @internal */
  shouldFsync(tier: TierState): boolean { return this.fsync && tier.cfg.medium !== 'MEM'; }

  /** @internal releases a reservation that produced no file. */
  unreserve(tier: TierState, size: number): void {
    tier.reserved -= size;
    tier.used -= size;
  }

  private unreserveOnly(tier: TierState, size: number): void { tier.reserved -= size; }

  // ---- internals ----

  private handleFor(f: BlockFile): BlockHandle {
    let released = false;
    return {
      key: f.key, path: f.path, size: f.size, crc: f.crc, tierIndex: f.tier.index, medium: f.tier.cfg.medium,
      release: () => {
        if (released) return;
        released = true;
        f.refs--;
        if (f.refs === 0 && f.dead) void this.unlinkDead(f);
      },
    };
  }

  private touch(f: BlockFile): void {
    if (f.dead) return;
    f.tick = ++this.clock;
    f.tier.lru.delete(f.key);
    f.tier.lru.set(f.key, f);
  }

  private async verify(f: BlockFile): Promise<boolean> {
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
        this.logger.warn({ key: f.key, tier: f.tier.cfg.medium }, 'block failed checksum verification; deleting it');
        if (!f.dead) await this.retire(f, true);
      }
      return ok;
    })();
    return await f.verifying;
  }

  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lockTail.then(fn, fn);
    this.lockTail = run.catch(() => undefined);
    return await run;
  }

  private async reserve(size: number, fromTier: number): Promise<TierState> {
    return await this.withLock(async () => {
      for (let i = fromTier; i < this.tiers.length; i++) {
        const t = this.tiers[i]!;
        if (await this.makeRoom(t, size)) {
          t.used += size;
          t.reserved += size;
          return t;
        }
      }
      throw new NoSpaceError(`no tier has room for a block of ${size} bytes`);
    });
  }

  /**
   * Called under the lock. When adding `size` would pass the high watermark, demotes least
   * recently used idle blocks until usage + size is at most the low watermark (or nothing idle
   * is left). Returns whether `size` now fits under the high watermark.
   */
  private async makeRoom(t: TierState, size: number): Promise<boolean> {
    const highMark = t.cfg.quotaBytes * t.cfg.high;
    if (size > highMark) return false;
    if (t.used + size <= highMark) return true;
    const lowMark = t.cfg.quotaBytes * t.cfg.low;
    for (const victim of [...t.lru.values()]) {
      if (t.used + size <= lowMark) break;
      if (victim.refs > 0 || victim.dead || victim.tier !== t) continue;
      await this.evict(victim);
    }
    return t.used + size <= highMark;
  }

  /** Called under the lock: moves `f` one tier down, or drops it from the last tier. */
  private async evict(f: BlockFile): Promise<void> {
    const from = f.tier;
    const next = this.tiers[from.index + 1];
    let dest: TierState | undefined;
    if (next && (await this.makeRoom(next, f.size))) dest = next;
    this.onEvict?.({ key: f.key, fromTier: from.index, toTier: dest ? dest.index : null });
    if (!dest) {
      await this.retire(f, true);
      return;
    }
    dest.used += f.size;
    dest.reserved += f.size;
    const nf = new BlockFile(f.key, dest, f.size, f.crc, f.verified);
    const tmp = join(dest.dir, f.key.slice(0, 2), `${TEMP_PREFIX}${f.key}-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(join(dest.dir, f.key.slice(0, 2)), { recursive: true, mode: 0o700 });
      await copyFile(f.path, tmp);
      if (this.shouldFsync(dest)) {
        const fh = await open(tmp, 'r+');
        try { await fh.sync(); } finally { await fh.close(); }
      }
      await rename(tmp, nf.path);
    } catch (err) {
      this.unreserve(dest, f.size);
      await rm(tmp, { force: true });
      this.logger.warn({ key: f.key, err: (err as Error).message }, 'demotion failed; dropping the block');
      if (!f.dead) await this.retire(f, true);
      return;
    }
    this.unreserveOnly(dest, f.size);
    if (f.dead || this.entries.get(f.key) !== f) {
      // Removed or replaced while it was being copied: the copy is not wanted.
      dest.used -= f.size;
      await rm(nf.path, { force: true });
      return;
    }
    this.entries.set(f.key, nf);
    nf.tick = ++this.clock;
    dest.lru.set(f.key, nf);
    await this.retire(f, false);
  }

  /** Makes `f` no longer current; its file goes now or when its last reader releases it. */
  private async retire(f: BlockFile, reportRemoved: boolean): Promise<void> {
    if (f.dead) return;
    f.dead = true;
    if (f.tier.lru.get(f.key) === f) f.tier.lru.delete(f.key);
    if (this.entries.get(f.key) === f) {
      this.entries.delete(f.key);
      if (reportRemoved) {
        this.added.delete(f.key);
        this.removed.add(f.key);
      }
    }
    if (f.refs === 0) await this.unlinkDead(f);
  }

  private async unlinkDead(f: BlockFile): Promise<void> {
    try {
      await unlink(f.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn({ key: f.key, err: (err as Error).message }, 'cannot delete block file');
    }
    f.tier.used -= f.size;
  }

  private async rescan(): Promise<void> {
    for (const t of this.tiers) {
      await mkdir(t.dir, { recursive: true, mode: 0o700 });
      const found: Array<{ key: string; crc: number; size: number; mtimeMs: number }> = [];
      for (const shard of await readdir(t.dir)) {
        const shardDir = join(t.dir, shard);
        let names: string[];
        try { names = await readdir(shardDir); } catch { continue; }
        for (const name of names) {
          const p = join(shardDir, name);
          if (name.startsWith(TEMP_PREFIX)) {
            await rm(p, { force: true });
            continue;
          }
          const m = BLOCK_FILE_RE.exec(name);
          if (!m || m[1]!.slice(0, 2) !== shard) continue;
          const st = await stat(p).catch(() => undefined);
          if (!st?.isFile()) continue;
          found.push({ key: m[1]!, crc: parseInt(m[2]!, 16), size: st.size, mtimeMs: st.mtimeMs });
        }
      }
      found.sort((a, b) => a.mtimeMs - b.mtimeMs);
      for (const b of found) {
        const f = new BlockFile(b.key, t, b.size, b.crc, false);
        if (this.entries.has(b.key)) {
          // A crash mid-demotion left two copies: the faster tier's is kept.
          await rm(f.path, { force: true });
          continue;
        }
        t.used += b.size;
        this.entries.set(b.key, f);
        this.touch(f);
        this.added.add(b.key);
      }
      this.logger.info({ tier: t.cfg.medium, blocks: t.lru.size, usedBytes: t.used }, 'tier rescanned');
    }
    // Quotas may have shrunk since the files were written.
    await this.withLock(async () => {
      for (const t of this.tiers) await this.makeRoom(t, 0);
      for (const t of this.tiers) {
        for (const f of [...t.lru.values()]) {
          if (t.used <= t.cfg.quotaBytes) break;
          await this.retire(f, true);
        }
      }
    });
  }
}

/** Writes one block to a temp file, checksumming as it goes; `commit` renames it into place. */
export class BlockWriter {
  private written = 0;
  private crc = 0;
  private done = false;
  constructor(
    private readonly store: BlockStore, readonly key: string, readonly size: number,
    private readonly tier: TierState, private readonly tmp: string, private readonly fh: FileHandle,
  ) {}

  get tierIndex(): number { return this.tier.index; }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.done) throw new EddyError('INTERNAL', 'block writer already finished');
    if (this.written + chunk.length > this.size) throw new ValidationError(`block ${this.key} is longer than its declared ${this.size} bytes`, 'size');
    let off = 0;
    // A MEM tier (tmpfs) write is a memory copy that cannot wait on a device: done inline it
    // costs half of what the thread-pool round trip per chunk does (the cold read path writes
    // every byte it fetches here).
    const inline = this.tier.cfg.medium === 'MEM';
    while (off < chunk.length) {
      const bytesWritten = inline
        ? writeSync(this.fh.fd, chunk, off, chunk.length - off, this.written + off)
        : (await this.fh.write(chunk, off, chunk.length - off, this.written + off)).bytesWritten;
      off += bytesWritten;
    }
    this.crc = crc32c(chunk, this.crc);
    this.written += chunk.length;
  }

  async commit(): Promise<void> {
    if (this.done) throw new EddyError('INTERNAL', 'block writer already finished');
    if (this.written !== this.size) throw new ValidationError(`block ${this.key} has ${this.written} of ${this.size} bytes`, 'size');
    this.done = true;
    try {
      if (this.store.shouldFsync(this.tier)) await this.fh.sync();
      await this.fh.close();
    } catch (err) {
      await rm(this.tmp, { force: true });
      this.store.unreserve(this.tier, this.size);
      throw new EddyError('INTERNAL', `cannot write block file: ${(err as Error).message}`, { cause: err });
    }
    await this.store.install(this.key, this.tier, this.size, this.crc >>> 0, this.tmp);
  }

  /** Discards the temp file and the reservation. Safe after commit (no-op) and twice. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.fh.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
    this.store.unreserve(this.tier, this.size);
  }
}

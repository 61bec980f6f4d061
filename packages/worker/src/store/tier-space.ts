// Room in the tiers: reserve-before-write quotas and high/low watermark LRU demotion. Every
// reservation and eviction runs under one lock, so concurrent writers never push a tier past its
// quota. Usage = bytes of block files (including deleted-but-still-read ones) + reservations.
import { copyFile, mkdir, open, rename, rm } from 'node:fs/promises';
import { NoSpaceError, type Logger } from '@eddy/core';
import { BlockFile, blockFilePath, shardDir, tempFilePath, type TierState } from './block-file.js';
import type { BlockIndex } from './block-index.js';

export interface EvictEvent {
  key: string;
  fromTier: number;
  /** Index of the tier it moves to, or null when it is dropped. */
  toTier: number | null;
}

export interface TierSpaceOptions {
  logger: Logger;
  /** fsync block files of disk tiers before the rename. */
  fsync: boolean;
  /** Called synchronously just before a block leaves a tier by eviction. */
  onEvict: ((event: EvictEvent) => void) | undefined;
}

export class TierSpace {
  readonly #index: BlockIndex;
  readonly #options: TierSpaceOptions;
  #lockTail: Promise<unknown> = Promise.resolve();

  constructor(index: BlockIndex, options: TierSpaceOptions) {
    this.#index = index;
    this.#options = options;
  }

  /** Runs `fn` after every earlier holder of the lock has finished. */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lockTail.then(fn, fn);
    this.#lockTail = run.catch(() => undefined);
    return await run;
  }

  /** Reserves `size` bytes in the fastest tier that has (or can make) room; NoSpaceError if none. */
  async reserve(size: number): Promise<TierState> {
    return await this.withLock(async () => {
      for (const t of this.#index.tiers) {
        if (await this.#makeRoom(t, size)) {
          t.used += size;
          t.reserved += size;
          return t;
        }
      }
      throw new NoSpaceError(`no tier has room for a block of ${size} bytes`);
    });
  }

  /** Releases a reservation that produced no file. */
  cancel(tier: TierState, size: number): void {
    tier.reserved -= size;
    tier.used -= size;
  }

  /** A reservation became a file: its bytes stay counted as used. */
  settle(tier: TierState, size: number): void { tier.reserved -= size; }

  shouldFsync(tier: TierState): boolean { return this.#options.fsync && tier.cfg.medium !== 'MEM'; }

  /** After a rescan: back under every high watermark, and under quotas that may have shrunk. */
  async enforceQuotas(): Promise<void> {
    await this.withLock(async () => {
      for (const t of this.#index.tiers) await this.#makeRoom(t, 0);
      for (const t of this.#index.tiers) {
        for (const f of [...t.lru.values()]) {
          if (t.used <= t.cfg.quotaBytes) break;
          await this.#index.retire(f, true);
        }
      }
    });
  }

  /**
   * Called under the lock. When adding `size` would pass the high watermark, demotes least
   * recently used idle blocks until usage + size is at most the low watermark (or nothing idle
   * is left). Returns whether `size` now fits under the high watermark.
   */
  async #makeRoom(t: TierState, size: number): Promise<boolean> {
    const highMark = t.cfg.quotaBytes * t.cfg.high;
    if (size > highMark) return false;
    if (t.used + size <= highMark) return true;
    const lowMark = t.cfg.quotaBytes * t.cfg.low;
    for (const victim of [...t.lru.values()]) {
      if (t.used + size <= lowMark) break;
      // Never under a reader, nor a block a mount still reads a version of (pinned by the master).
      if (victim.refs > 0 || victim.dead || victim.tier !== t || this.#index.isPinned(victim.key)) continue;
      await this.#evict(victim);
    }
    return t.used + size <= highMark;
  }

  /** Called under the lock: moves `f` one tier down, or drops it from the last tier. */
  async #evict(f: BlockFile): Promise<void> {
    const next = this.#index.tiers[f.tier.index + 1];
    const dest = next && (await this.#makeRoom(next, f.size)) ? next : undefined;
    this.#options.onEvict?.({ key: f.key, fromTier: f.tier.index, toTier: dest ? dest.index : null });
    if (!dest) {
      await this.#index.retire(f, true);
      return;
    }
    dest.used += f.size;
    dest.reserved += f.size;
    if (!(await this.#copyDown(f, dest))) return;
    this.settle(dest, f.size);
    if (f.dead || this.#index.get(f.key) !== f) {
      // Removed or replaced while it was being copied: the copy is not wanted.
      dest.used -= f.size;
      await rm(blockFilePath(dest.dir, f.key, f.crc), { force: true });
      return;
    }
    this.#index.setCurrent(new BlockFile(f.key, dest, f.size, f.crc, f.verified), false);
    await this.#index.retire(f, false);
  }

  /** Copies the file of `f` into `dest` (reserved by the caller); on failure drops the block and returns false. */
  async #copyDown(f: BlockFile, dest: TierState): Promise<boolean> {
    const tmp = tempFilePath(dest.dir, f.key);
    try {
      await mkdir(shardDir(dest.dir, f.key), { recursive: true, mode: 0o700 });
      await copyFile(f.path, tmp);
      if (this.shouldFsync(dest)) {
        const fh = await open(tmp, 'r+');
        try { await fh.sync(); } finally { await fh.close(); }
      }
      await rename(tmp, blockFilePath(dest.dir, f.key, f.crc));
      return true;
    } catch (err) {
      this.cancel(dest, f.size);
      await rm(tmp, { force: true });
      this.#options.logger.warn({ key: f.key, err }, 'demotion failed; dropping the block');
      if (!f.dead) await this.#index.retire(f, true);
      return false;
    }
  }
}

// The block store's in-memory index (soft state, rebuilt by the rescan): the current file of each
// key, per-tier LRU order, reader pins, the keys the master pinned, deferred deletes, and the
// added/removed delta that heartbeats carry to the master.
import { unlink } from 'node:fs/promises';
import type { Logger } from '@eddy/core';
import type { BlockFile, TierState } from './block-file.js';

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

export interface BlockDelta { added: string[]; removed: string[] }

export class BlockIndex {
  /** Fastest first. */
  readonly tiers: readonly TierState[];
  readonly #entries = new Map<string, BlockFile>();
  readonly #logger: Logger;
  #clock = 0;
  #added = new Set<string>();
  #removed = new Set<string>();
  /** Keys the master pinned: a mount still reads their version, so eviction leaves them alone. */
  readonly #pinned = new Set<string>();

  constructor(tiers: readonly TierState[], logger: Logger) {
    this.tiers = tiers;
    this.#logger = logger;
  }

  get size(): number { return this.#entries.size; }
  has(key: string): boolean { return this.#entries.has(key); }
  get(key: string): BlockFile | undefined { return this.#entries.get(key); }
  keys(): string[] { return [...this.#entries.keys()]; }

  /** Marks `f` most recently used in its tier. */
  touch(f: BlockFile): void {
    if (f.dead) return;
    f.tick = ++this.#clock;
    f.tier.lru.delete(f.key);
    f.tier.lru.set(f.key, f);
  }

  /** Makes `f` the current copy of its key, most recently used; `report` puts it in the added delta. */
  setCurrent(f: BlockFile, report: boolean): void {
    this.#entries.set(f.key, f);
    this.touch(f);
    if (report) {
      this.#removed.delete(f.key);
      this.#added.add(f.key);
    }
  }

  /** Makes `f` no longer current; its file goes now or when its last reader releases it. */
  async retire(f: BlockFile, reportRemoved: boolean): Promise<void> {
    if (f.dead) return;
    f.dead = true;
    if (f.tier.lru.get(f.key) === f) f.tier.lru.delete(f.key);
    if (this.#entries.get(f.key) === f) {
      this.#entries.delete(f.key);
      if (reportRemoved) {
        this.#added.delete(f.key);
        this.#removed.add(f.key);
      }
    }
    if (f.refs === 0) await this.#unlinkDead(f);
  }

  /** Pins `f` (the caller already counted the reference in `f.refs`). */
  handleFor(f: BlockFile): BlockHandle {
    let released = false;
    return {
      key: f.key, path: f.path, size: f.size, crc: f.crc, tierIndex: f.tier.index, medium: f.tier.cfg.medium,
      release: () => {
        if (released) return;
        released = true;
        void this.unref(f);
      },
    };
  }

  /** Drops one reference counted in `f.refs`; the last one of a retired file deletes it. */
  async unref(f: BlockFile): Promise<void> {
    f.refs--;
    if (f.refs === 0 && f.dead) await this.#unlinkDead(f);
  }

  /** Applies the master's pin/unpin (heartbeat reply); after a (re)registration it starts from none. */
  pin(keys: Iterable<string>): void { for (const k of keys) this.#pinned.add(k); }
  unpin(keys: Iterable<string>): void { for (const k of keys) this.#pinned.delete(k); }
  clearPins(): void { this.#pinned.clear(); }
  isPinned(key: string): boolean { return this.#pinned.has(key); }
  get pinnedCount(): number { return this.#pinned.size; }

  /** Keys added and removed since the last call (for heartbeats). */
  drainDelta(): BlockDelta {
    const out = { added: [...this.#added], removed: [...this.#removed] };
    this.#added = new Set();
    this.#removed = new Set();
    return out;
  }

  /** Puts back a delta whose heartbeat failed, unless newer changes superseded it. */
  restoreDelta(delta: BlockDelta): void {
    for (const k of delta.added) if (!this.#removed.has(k) && this.#entries.has(k)) this.#added.add(k);
    for (const k of delta.removed) if (!this.#added.has(k) && !this.#entries.has(k)) this.#removed.add(k);
  }

  async #unlinkDead(f: BlockFile): Promise<void> {
    try {
      await unlink(f.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.#logger.warn({ key: f.key, err }, 'cannot delete block file');
    }
    f.tier.used -= f.size;
  }
}

// The worker's block read path: a cached block is served from its file (verified on first use,
// and on every hand-off to a local reader), a missing or corrupt one is read through from the
// UFS. Shared by the data channel (READ, LOCAL, FETCH) and LoadBlocks; keeps the hit/miss/byte
// counters the master shows, and the worker's Prometheus metrics.
import { NoSpaceError, ValidationError } from '@eddy/core';
import type { FetchReason, WorkerMetrics } from '@eddy/metrics';
import { type proto } from '@eddy/protocol';
import type { BlockHandle, BlockStore } from '../store/block-store.js';
import type { ReadThrough } from '../read-through/read-through.js';
import { validateBlockRef, type ValidBlockRef } from './block-ref.js';

export type BlockRead =
  /** Cached: stream `length` bytes of `handle.path` from `offset`, then release the handle. */
  | { kind: 'file'; ref: ValidBlockRef; handle: BlockHandle; offset: number; length: number }
  /** Read through: the bytes as they arrive from the UFS. */
  | { kind: 'stream'; ref: ValidBlockRef; offset: number; length: number; chunks: AsyncIterable<Buffer> };

export interface BlockCounters { hits: number; misses: number; bytesServed: number; ufsBytesRead: number }

export class BlockService {
  readonly counters: BlockCounters = { hits: 0, misses: 0, bytesServed: 0, ufsBytesRead: 0 };

  readonly store: BlockStore;
  readonly #readThrough: ReadThrough;
  readonly #metrics: WorkerMetrics | undefined;

  constructor(store: BlockStore, readThrough: ReadThrough, metrics?: WorkerMetrics) {
    this.store = store;
    this.#readThrough = readThrough;
    this.#metrics = metrics;
  }

  /**
   * Opens bytes [offset, offset+length) of a block (clipped to the block's end). For a 'file'
   * read the caller must release the handle when done.
   */
  async read(rawRef: proto.BlockRef | proto.BlockRef__Output, offset: number, length: number, options: { signal?: AbortSignal } = {}): Promise<BlockRead> {
    const ref = validateBlockRef(rawRef);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > ref.length) throw new ValidationError(`offset must be in [0, ${ref.length}]`, 'offset');
    if (!Number.isSafeInteger(length) || length < 0) throw new ValidationError('length must be a non-negative integer', 'length');
    const len = Math.min(length, ref.length - offset);
    const handle = await this.#cachedHandle(ref, 'first');
    if (handle) {
      this.counters.hits++;
      this.#metrics?.blockRead(ref.dataset, true, len);
      return { kind: 'file', ref, handle, offset, length: len };
    }
    await this.#readThrough.checkBlockSize(ref, options);
    this.counters.misses++;
    this.#metrics?.blockRead(ref.dataset, false, len);
    return { kind: 'stream', ref, offset, length: len, chunks: this.#readThrough.read(ref, offset, len, options.signal) };
  }

  /**
   * Pins a cached block for a local reader after verifying its checksum; null when this worker
   * does not hold it (the reader then uses the data channel, which reads through).
   */
  async openLocal(rawRef: proto.BlockRef | proto.BlockRef__Output): Promise<BlockHandle | null> {
    const ref = validateBlockRef(rawRef);
    return await this.#cachedHandle(ref, 'always');
  }

  /**
   * A client on this host about to read a whole block: cache it (a hit or a miss like `read`),
   * so the client reads the file instead of receiving the bytes over the data channel.
   */
  async fetchForLocal(rawRef: proto.BlockRef | proto.BlockRef__Output): Promise<number> {
    const bytes = await this.load(rawRef, 'fetch');
    if (bytes > 0) this.counters.misses++; else this.counters.hits++;
    return bytes;
  }

  /**
   * Makes sure the block is cached; returns the bytes fetched from the UFS (0 if it was cached).
   * `reason`: who asked (a DataLoad, or a client on this host about to read it).
   */
  async load(rawRef: proto.BlockRef | proto.BlockRef__Output, reason: FetchReason = 'load'): Promise<number> {
    const ref = validateBlockRef(rawRef);
    const handle = await this.#cachedHandle(ref, 'first');
    if (handle) {
      handle.release();
      return 0;
    }
    await this.#readThrough.checkBlockSize(ref);
    const { bytes, stored } = await this.#readThrough.fetch(ref, reason).done;
    // A load exists to cache: a block that was read but not kept (no tier had room, or the tier's
    // filesystem filled up before its quota) must not count as loaded.
    if (!stored) throw new NoSpaceError(`block ${ref.index} of ${ref.dataset}:${ref.path} was read but could not be cached: no room in any tier`);
    return bytes;
  }

  async #cachedHandle(ref: ValidBlockRef, verify: 'first' | 'always'): Promise<BlockHandle | null> {
    const handle = await this.store.acquire(ref.key, { verify });
    if (handle && handle.size !== ref.length) {
      // A file of the wrong size can only be damage: drop it and read through.
      handle.release();
      await this.store.remove(ref.key);
      return null;
    }
    return handle;
  }
}

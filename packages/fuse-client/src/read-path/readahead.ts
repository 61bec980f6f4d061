// Readahead of one open handle: it only decides what to read ahead and when; where bytes come from
// is the fetch function's business (BlockSource.read). The kernel sends reads of at most 128 KiB;
// a sequential reader is served from chunks fetched ahead of it, in a window that doubles while
// reads stay sequential (with MOUNT_DEFAULTS: 4, 8, 16, 32, 64 MiB in 4 MiB chunks, so that
// several blocks are fetched at once). A read far from the previous one resets the window and is
// fetched exactly, so random readers do not pay for prefetching. Reads that the short-circuit
// serves from local files skip readahead (they only move the reader's position, `advance`).
// With a BufferPool, chunks are read into reused buffers: a chunk's buffer goes back to the pool
// once the chunk is dropped, its fetch has settled and no read is copying from it (`users`).
import type { BufferPool } from '@eddy/core';
import type { ReadaheadOptions } from '../mount-options.js';
import type { ReadaheadBudget } from './readahead-budget.js';

/**
 * Reads [offset, offset+length) of the file (fewer bytes only at EOF); `sequential`: the rest of
 * these blocks will be read too. `into`: a buffer the bytes may be read into (the result is then a
 * view of it); a fetch may ignore it and return a buffer of its own.
 */
export type RangeFetch = (offset: number, length: number, sequential: boolean, into?: Buffer) => Promise<Buffer>;

interface Chunk {
  promise: Promise<Buffer>;
  /** Bytes charged to the shared budget (0 for chunks the current read needs anyway). */
  charged: number;
  /** The pooled buffer lent to the fetch, until it goes back to the pool. */
  pooled: Buffer | undefined;
  /** Reads copying from the chunk right now. */
  users: number;
  settled: boolean;
  dropped: boolean;
}

export class Readahead {
  readonly #size: number;
  readonly #budget: ReadaheadBudget;
  readonly #o: ReadaheadOptions;
  readonly #fetch: RangeFetch;
  readonly #chunks = new Map<number, Chunk>();
  #nextOffset = 0;
  #window = 0;
  #lastChunk = -1;
  readonly #pool: BufferPool | undefined;

  constructor(size: number, budget: ReadaheadBudget, options: ReadaheadOptions, fetch: RangeFetch, pool?: BufferPool) {
    this.#size = size;
    this.#budget = budget;
    this.#o = options;
    this.#fetch = fetch;
    // A pool of buffers of another size than the chunks is of no use here.
    this.#pool = pool?.bufferBytes === options.chunkBytes ? pool : undefined;
  }

  get windowBytes(): number { return this.#window; }

  /**
   * The multi-threaded FUSE loop may deliver a sequential stream slightly out of order, so
   * "sequential" means: inside what we prefetched, or within two chunks of the last read.
   */
  isSequential(offset: number): boolean {
    const C = this.#o.chunkBytes;
    return this.#chunks.has(Math.floor(offset / C)) || Math.abs(offset - this.#nextOffset) <= 2 * C;
  }

  /** A read that was served elsewhere ended at `end`. */
  advance(end: number): void {
    this.#nextOffset = end;
  }

  /** Up to `length` bytes at `offset` (fewer only at EOF). */
  async read(offset: number, length: number): Promise<Buffer> {
    const n = Math.max(0, Math.min(this.#size, offset + length) - offset);
    if (n === 0) return Buffer.alloc(0);
    const out = Buffer.allocUnsafe(n);
    return out.subarray(0, await this.readInto(offset, n, out));
  }

  /**
   * Copies up to `length` bytes at `offset` into `target` (fewer only at EOF); the count. Each
   * chunk's bytes are copied as soon as it is there, so a pooled chunk buffer is never handed out.
   */
  async readInto(offset: number, length: number, target: Buffer): Promise<number> {
    const size = this.#size;
    if (offset >= size || length <= 0) return 0;
    const end = Math.min(size, offset + length);
    const C = this.#o.chunkBytes;
    const first = Math.floor(offset / C);
    const sequential = this.isSequential(offset);
    this.#nextOffset = Math.max(end, sequential ? this.#nextOffset : 0);
    if (!sequential || this.#o.maxWindowBytes === 0) {
      this.#window = 0;
      this.#lastChunk = -1;
      this.#dropChunks(() => true);
      const buf = await this.#fetch(offset, end - offset, false);
      return buf.copy(target, 0, 0, Math.min(buf.length, end - offset));
    }
    const last = Math.floor((end - 1) / C);
    this.#schedule(first, last, end);
    // Chunks wholly behind this read will not be asked for again by a sequential reader.
    this.#dropChunks((i) => (i + 1) * C <= offset - C);
    const chunks: Chunk[] = [];
    for (let i = first; i <= last; i++) {
      const chunk = this.#chunks.get(i);
      if (!chunk) throw new Error('readahead chunk vanished');
      chunk.users++;
      chunks.push(chunk);
    }
    let copied = 0;
    try {
      for (let i = first; i <= last; i++) {
        const buf = await chunks[i - first]!.promise;
        const cStart = i * C;
        const from = Math.max(0, offset - cStart);
        const to = Math.min(buf.length, end - cStart);
        if (to > from) copied += buf.copy(target, copied, from, to);
      }
    } finally {
      for (const chunk of chunks) {
        chunk.users--;
        this.#recycle(chunk);
      }
    }
    return copied;
  }

  /** Starts chunks `first..last` (needed now) and those of the window after `end` that the budget allows. */
  #schedule(first: number, last: number, end: number): void {
    const C = this.#o.chunkBytes;
    if (this.#window === 0) this.#window = this.#o.initialWindowBytes;
    // Grow the window each time the reader moves on into a chunk it had not touched yet.
    else if (last > this.#lastChunk) this.#window = Math.min(this.#o.maxWindowBytes, this.#window * 2);
    this.#lastChunk = Math.max(this.#lastChunk, last);
    const aheadTo = Math.min(Math.floor((this.#size - 1) / C), Math.floor((end - 1 + this.#window) / C));
    for (let i = first; i <= aheadTo; i++) {
      if (this.#chunks.has(i)) continue;
      const needed = i <= last;
      const bytes = Math.min(C, this.#size - i * C);
      if (!needed && !this.#budget.tryAcquire(bytes)) break;
      this.#startChunk(i, needed ? 0 : bytes);
    }
  }

  #startChunk(i: number, charged: number): void {
    const C = this.#o.chunkBytes;
    const pooled = this.#pool?.take();
    const promise = this.#fetch(i * C, C, true, pooled);
    const chunk: Chunk = { promise, charged, pooled, users: 0, settled: false, dropped: false };
    this.#chunks.set(i, chunk);
    promise.then((buf) => {
      chunk.settled = true;
      // The fetch answered with a buffer of its own (a local file, the bucket): the pooled one is free now.
      if (pooled && buf.buffer !== pooled.buffer) {
        chunk.pooled = undefined;
        this.#pool?.give(pooled);
      }
      this.#recycle(chunk);
    }, () => {
      chunk.settled = true;
      // A failed chunk is forgotten so the next read retries it instead of reusing the error.
      if (this.#chunks.get(i) === chunk) this.#drop(i, chunk);
      else this.#recycle(chunk);
    });
  }

  #drop(i: number, chunk: Chunk): void {
    this.#chunks.delete(i);
    chunk.dropped = true;
    if (chunk.charged > 0) this.#budget.release(chunk.charged);
    this.#recycle(chunk);
  }

  /** A dropped chunk's buffer goes back to the pool once nothing can write or read it any more. */
  #recycle(chunk: Chunk): void {
    if (!chunk.dropped || !chunk.settled || chunk.users > 0 || !chunk.pooled) return;
    const buf = chunk.pooled;
    chunk.pooled = undefined;
    this.#pool?.give(buf);
  }

  #dropChunks(pred: (i: number) => boolean): void {
    for (const [i, chunk] of [...this.#chunks]) if (pred(i)) this.#drop(i, chunk);
  }

  /** Forgets every chunk and returns its budget (the fetches are aborted by the handle). */
  close(): void {
    this.#dropChunks(() => true);
  }
}

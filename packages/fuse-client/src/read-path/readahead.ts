// Readahead of one open handle: it only decides what to read ahead and when; where bytes come from
// is the fetch function's business (BlockSource.read). The kernel sends reads of at most 128 KiB;
// a sequential reader is served from chunks fetched ahead of it, in a window that doubles while
// reads stay sequential (with MOUNT_DEFAULTS: 4, 8, 16, 32, 64 MiB in 4 MiB chunks, so that
// several blocks are fetched at once). A read far from the previous one resets the window and is
// fetched exactly, so random readers do not pay for prefetching. Reads that the short-circuit
// serves from local files skip readahead (they only move the reader's position, `advance`).
import type { ReadaheadOptions } from '../mount-options.js';
import type { ReadaheadBudget } from './readahead-budget.js';

/** Reads [offset, offset+length) of the file (fewer bytes only at EOF); `sequential`: the rest of these blocks will be read too. */
export type RangeFetch = (offset: number, length: number, sequential: boolean) => Promise<Buffer>;

interface Chunk {
  promise: Promise<Buffer>;
  /** Bytes charged to the shared budget (0 for chunks the current read needs anyway). */
  charged: number;
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

  constructor(size: number, budget: ReadaheadBudget, options: ReadaheadOptions, fetch: RangeFetch) {
    this.#size = size;
    this.#budget = budget;
    this.#o = options;
    this.#fetch = fetch;
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
    const size = this.#size;
    if (offset >= size || length <= 0) return Buffer.alloc(0);
    const end = Math.min(size, offset + length);
    const C = this.#o.chunkBytes;
    const first = Math.floor(offset / C);
    const sequential = this.isSequential(offset);
    this.#nextOffset = Math.max(end, sequential ? this.#nextOffset : 0);
    if (!sequential || this.#o.maxWindowBytes === 0) {
      this.#window = 0;
      this.#lastChunk = -1;
      this.#dropChunks(() => true);
      return await this.#fetch(offset, end - offset, false);
    }
    const last = Math.floor((end - 1) / C);
    this.#schedule(first, last, end);
    // Chunks wholly behind this read will not be asked for again by a sequential reader.
    this.#dropChunks((i) => (i + 1) * C <= offset - C);
    const parts: Buffer[] = [];
    for (let i = first; i <= last; i++) {
      const chunk = this.#chunks.get(i);
      if (!chunk) throw new Error('readahead chunk vanished');
      const buf = await chunk.promise;
      const cStart = i * C;
      parts.push(buf.subarray(Math.max(0, offset - cStart), Math.min(buf.length, end - cStart)));
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
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
    const promise = this.#fetch(i * C, C, true);
    const chunk: Chunk = { promise, charged };
    this.#chunks.set(i, chunk);
    // A failed chunk is forgotten so the next read retries it instead of reusing the error.
    promise.catch(() => {
      if (this.#chunks.get(i) === chunk) this.#drop(i, chunk);
    });
  }

  #drop(i: number, chunk: Chunk): void {
    this.#chunks.delete(i);
    if (chunk.charged > 0) this.#budget.release(chunk.charged);
  }

  #dropChunks(pred: (i: number) => boolean): void {
    for (const [i, chunk] of [...this.#chunks]) if (pred(i)) this.#drop(i, chunk);
  }

  /** Forgets every chunk and returns its budget (the fetches are aborted by the handle). */
  close(): void {
    this.#dropChunks(() => true);
  }
}

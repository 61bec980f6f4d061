// The reader behind one open file handle. The kernel sends reads of at most 128 KiB; a sequential
// reader is served from chunks prefetched ahead of it, in a window that doubles while reads stay
// sequential (by default 4, 8, 16, 32, 64 MiB in 4 MiB chunks, so that several blocks are fetched
// at once: a worker reading a block through streams it at the speed of one GET). A read far from
// the previous one resets the window and is fetched exactly, so random readers do not pay for
// prefetching. Blocks held by a worker on this host bypass all this (see readInto).
import { setMaxListeners } from 'node:events';
import type { BlockReader } from './block-reader.js';
import type { LocationCache } from './location-cache.js';
import type { ReadaheadBudget } from './readahead-budget.js';
import type { PinnedFile } from './sources.js';

export interface ReadaheadOptions {
  /** Prefetch unit. Default 1 MiB. */
  chunkBytes: number;
  /** First window once a reader looks sequential. Default 1 MiB. */
  initialWindowBytes: number;
  /** Largest window per handle. Default 16 MiB. */
  maxWindowBytes: number;
}

export const DEFAULT_READAHEAD: ReadaheadOptions = { chunkBytes: 4 << 20, initialWindowBytes: 4 << 20, maxWindowBytes: 64 << 20 };

/**
 * Blocks pinned (or, when uncached, fetched by a worker on this host) ahead of a sequential
 * reader that is being served from local files: 4 blocks of 16 MiB match the 64 MiB window of
 * streamed readahead, so a cold read keeps that many GETs going.
 */
const LOCAL_PIN_AHEAD = 4;

interface Chunk {
  promise: Promise<Buffer>;
  /** Bytes charged to the shared budget (0 for chunks the current read needs anyway). */
  charged: number;
}

export class FileReader {
  readonly file: PinnedFile;
  readonly #reader: BlockReader;
  readonly #locations: LocationCache;
  readonly #budget: ReadaheadBudget;
  readonly #o: ReadaheadOptions;
  readonly #chunks = new Map<number, Chunk>();
  readonly #abort = new AbortController();
  #nextOffset = 0;
  #window = 0;
  #lastChunk = -1;
  #closed = false;
  /** Whether the last block read had a local holder (undefined: try). */
  #localHint: boolean | undefined;
  #localMissBlock = -1;
  #localBlock = -1;

  constructor(file: PinnedFile, reader: BlockReader, locations: LocationCache, budget: ReadaheadBudget, options: ReadaheadOptions = DEFAULT_READAHEAD) {
    this.file = file;
    this.#reader = reader;
    this.#locations = locations;
    this.#budget = budget;
    this.#o = options;
    // Every chunk in flight listens on the handle's signal (a 64 MiB window is 16 chunks, each
    // with its slices and RPCs); that is expected, not a leak.
    setMaxListeners(1000, this.#abort.signal);
  }

  get windowBytes(): number { return this.#window; }

  /** Reads up to `length` bytes at `offset` into `target`; returns the count (fewer only at EOF). */
  async readInto(target: Buffer, offset: number, length: number): Promise<number> {
    const size = this.file.size;
    if (offset >= size || length <= 0) return 0;
    const end = Math.min(size, offset + length);
    if (this.#localHint !== false) {
      const block = Math.floor(offset / this.file.blockSize);
      let n = await this.#reader.readLocalInto(this.file, this.#locations, offset, target, end - offset, this.#abort.signal);
      if (n === null && this.#looksSequential(offset)) {
        // Not cached, but a worker on this host may fetch it whole for us: start the blocks
        // after it too, wait for this one, and read it from the file like a cached block.
        this.#prefetchLocalAhead(block, true);
        if (await this.#reader.fetchLocal(this.file, this.#locations, block, this.#abort.signal)) {
          n = await this.#reader.readLocalInto(this.file, this.#locations, offset, target, end - offset, this.#abort.signal);
        }
      }
      if (n !== null) {
        if (this.#localHint !== true || block !== this.#localBlock) {
          // Entering a block: pin the next ones now so their check overlaps this block's reads
          // (and have uncached ones fetched, if this reader is sequential).
          this.#localBlock = block;
          this.#prefetchLocalAhead(block, this.#looksSequential(offset));
        }
        this.#localHint = true;
        this.#nextOffset = end;
        return n;
      }
      // Not local: stop asking until the reader reaches another block.
      this.#localHint = false;
      this.#localMissBlock = Math.floor(offset / this.file.blockSize);
    } else if (Math.floor(offset / this.file.blockSize) !== this.#localMissBlock) {
      this.#localHint = undefined;
      return await this.readInto(target, offset, length);
    }
    const data = await this.read(offset, length);
    data.copy(target, 0, 0, data.length);
    return data.length;
  }

  /** Pins the LOCAL_PIN_AHEAD blocks after `block`; `fetch`: have uncached ones fetched by a local worker. */
  #prefetchLocalAhead(block: number, fetch: boolean): void {
    for (let i = 1; i <= LOCAL_PIN_AHEAD; i++) this.#reader.prefetchLocal(this.file, this.#locations, block + i, fetch);
  }

  /**
   * The multi-threaded FUSE loop may deliver a sequential stream slightly out of order, so
   * "sequential" means: inside what we prefetched, or within two chunks of the last read.
   */
  #looksSequential(offset: number): boolean {
    const C = this.#o.chunkBytes;
    return this.#chunks.has(Math.floor(offset / C)) || Math.abs(offset - this.#nextOffset) <= 2 * C;
  }

  /** Up to `length` bytes at `offset` (fewer only at EOF). */
  async read(offset: number, length: number): Promise<Buffer> {
    const size = this.file.size;
    if (offset >= size || length <= 0) return Buffer.alloc(0);
    const end = Math.min(size, offset + length);
    const C = this.#o.chunkBytes;
    const first = Math.floor(offset / C);
    const sequential = this.#looksSequential(offset);
    this.#nextOffset = Math.max(end, sequential ? this.#nextOffset : 0);
    if (!sequential || this.#o.maxWindowBytes === 0) {
      this.#window = 0;
      this.#lastChunk = -1;
      this.#dropChunks(() => true);
      return await this.#reader.readRange(this.file, this.#locations, offset, end - offset, this.#abort.signal);
    }
    const last = Math.floor((end - 1) / C);
    if (this.#window === 0) this.#window = this.#o.initialWindowBytes;
    // Grow the window each time the reader moves on into a chunk it had not touched yet.
    else if (last > this.#lastChunk) this.#window = Math.min(this.#o.maxWindowBytes, this.#window * 2);
    this.#lastChunk = Math.max(this.#lastChunk, last);
    const lastChunk = Math.floor((size - 1) / C);
    const aheadTo = Math.min(lastChunk, Math.floor((end - 1 + this.#window) / C));
    for (let i = first; i <= aheadTo; i++) {
      if (this.#chunks.has(i)) continue;
      const needed = i <= last;
      const bytes = Math.min(C, size - i * C);
      if (!needed && !this.#budget.tryAcquire(bytes)) break;
      this.#startChunk(i, needed ? 0 : bytes);
    }
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

  #startChunk(i: number, charged: number): void {
    const C = this.#o.chunkBytes;
    const promise = this.#reader.readRange(this.file, this.#locations, i * C, C, this.#abort.signal, true);
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

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    this.#dropChunks(() => true);
  }
}

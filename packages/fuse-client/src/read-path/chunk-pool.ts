// Reused readahead chunk buffers. A remote chunk is a few MiB read from a worker's data channel;
// a fresh Buffer per chunk costs the mount page faults on fresh memory and, above all, garbage
// collections that V8 starts because of the external memory allocated (the remote-workers
// profile: GC ~15-25 % of the mount's thread while it streams). A chunk's buffer comes back here
// when its readahead drops it and no read is still copying from it (readahead.ts).
export class ChunkPool {
  readonly #free: Buffer[] = [];
  readonly #bytes: number;
  readonly #maxFree: number;

  /** `bytes`: the size of every buffer; `maxFree`: how many free ones are kept (the rest go to the GC). */
  constructor(bytes: number, maxFree: number) {
    this.#bytes = bytes;
    this.#maxFree = maxFree;
  }

  get bufferBytes(): number { return this.#bytes; }

  /** Free buffers held. */
  get freeCount(): number { return this.#free.length; }

  take(): Buffer { return this.#free.pop() ?? Buffer.allocUnsafeSlow(this.#bytes); }

  give(buf: Buffer): void {
    if (buf.length === this.#bytes && this.#free.length < this.#maxFree) this.#free.push(buf);
  }
}

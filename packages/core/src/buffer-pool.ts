// Reused fixed-size buffers for the byte paths (the worker's file reads for the data channel, the
// mount's remote readahead chunks). A fresh Buffer per chunk costs page faults on fresh memory
// and garbage collections V8 starts for the external memory (the remote-workers profile: GC
// ~15-25 % of the mount's thread while it streams). A buffer comes back once nothing reads or
// writes it any more; which moment that is, the caller knows (a socket's write callback, a
// readahead chunk dropped with no read copying from it).
export class BufferPool {
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

  /** Keeps `buf` for the next `take` (a buffer of another size is left to the GC). */
  give(buf: Buffer): void {
    if (buf.length === this.#bytes && this.#free.length < this.#maxFree) this.#free.push(buf);
  }
}

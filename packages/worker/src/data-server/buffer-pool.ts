// Reused file-read buffers: a fresh buffer per chunk costs an allocation and page faults on
// every chunk, which on loopback is most of the cost of serving a cached block. A buffer returns
// here once the socket has handed its bytes to the kernel (the write callback).
export class BufferPool {
  readonly #free: Buffer[] = [];
  readonly #size: number;
  readonly #max: number;

  constructor(size: number, max: number) {
    this.#size = size;
    this.#max = max;
  }

  take(): Buffer { return this.#free.pop() ?? Buffer.allocUnsafeSlow(this.#size); }
  give(buf: Buffer): void { if (this.#free.length < this.#max) this.#free.push(buf); }
}

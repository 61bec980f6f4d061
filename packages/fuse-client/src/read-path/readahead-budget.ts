// Bounds the bytes all open files may hold in readahead buffers together. A handle that cannot
// get budget simply reads without prefetching, so memory stays bounded however many files are open.
export class ReadaheadBudget {
  readonly #limit: number;
  #used = 0;

  constructor(limitBytes: number) {
    this.#limit = limitBytes;
  }

  tryAcquire(bytes: number): boolean {
    if (this.#used + bytes > this.#limit) return false;
    this.#used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
  }

  get used(): number { return this.#used; }
}

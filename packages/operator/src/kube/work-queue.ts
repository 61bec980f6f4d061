// One work queue of keys with rate-limited retries, as client-go's: a key is queued at most once,
// never processed by two workers at the same time (a change while it is processed queues it again
// afterwards), failures back off exponentially per key, and `addAfter` schedules a later look.

export interface WorkQueueOptions {
  /** First retry delay after a failure (doubles per consecutive failure). Default 500 ms. */
  baseDelayMs?: number;
  /** Largest retry delay. Default 60 s. */
  maxDelayMs?: number;
}

export class WorkQueue {
  readonly #queue: string[] = [];
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #timers = new Map<string, { timer: NodeJS.Timeout; due: number }>();
  readonly #waiters: Array<() => void> = [];
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  #closed = false;

  constructor(options: WorkQueueOptions = {}) {
    this.#baseDelayMs = options.baseDelayMs ?? 500;
    this.#maxDelayMs = options.maxDelayMs ?? 60_000;
  }

  get length(): number {
    return this.#queue.length;
  }

  add(key: string): void {
    if (this.#closed || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    this.#queue.push(key);
    this.#waiters.shift()?.();
  }

  /** Adds `key` after `delayMs`; of several pending timers for a key, the earliest wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.#closed) return;
    const due = Date.now() + delayMs;
    const existing = this.#timers.get(key);
    if (existing && existing.due <= due) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.#timers.set(key, { timer, due });
  }

  /** Re-adds `key` after its backoff; returns the delay used. */
  addRateLimited(key: string): number {
    const n = this.#failures.get(key) ?? 0;
    this.#failures.set(key, n + 1);
    const delay = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** Math.min(n, 20));
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears the key's failure count (after a success). */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** The next key, or undefined once closed. Call done(key) when finished with it. */
  async get(signal?: AbortSignal): Promise<string | undefined> {
    for (;;) {
      if (this.#closed || signal?.aborted) return undefined;
      const key = this.#queue.shift();
      if (key !== undefined) {
        this.#dirty.delete(key);
        this.#processing.add(key);
        return key;
      }
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }

  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key) && !this.#closed) {
      this.#queue.push(key);
      this.#waiters.shift()?.();
    }
  }

  /** Stops handing out keys and cancels scheduled ones. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t.timer);
    this.#timers.clear();
    for (const w of this.#waiters.splice(0)) w();
  }
}

// A counting semaphore for UFS fetches: at most `max` run at once, the rest wait in order (or
// until their signal aborts). A waiting fetch holds no memory and no tier reservation.
import { AbortedError } from '@eddy/core';

export class FetchSlots {
  readonly #max: number;
  #running = 0;
  readonly #queue: Array<() => void> = [];

  constructor(max: number) {
    this.#max = max;
  }

  get running(): number { return this.#running; }
  get waiting(): number { return this.#queue.length; }

  /** Resolves with the slot's release function (idempotent) once a slot is free. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw new AbortedError('fetch aborted while waiting for a slot');
    if (this.#running >= this.#max) {
      await new Promise<void>((resolve, reject) => {
        const go = (): void => { signal?.removeEventListener('abort', onAbort); resolve(); };
        const onAbort = (): void => {
          const i = this.#queue.indexOf(go);
          if (i >= 0) this.#queue.splice(i, 1);
          reject(signal?.reason instanceof Error ? signal.reason : new AbortedError('fetch aborted while waiting for a slot'));
        };
        this.#queue.push(go);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    } else {
      this.#running++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      // The slot passes straight to the next waiter (the count stays), so nobody can jump the queue.
      if (next) next();
      else this.#running--;
    };
  }
}

// Retries an operation with exponential backoff and jitter, but only when `isRetryable` says the
// failure is transient: the one retry loop of every component (UFS drivers, worker registration).
import { AbortedError } from './errors.js';

export interface RetryOptions {
  /** Attempts in total, first one included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  isRetryable: (err: unknown) => boolean;
  signal?: AbortSignal | undefined;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

export async function retryWithBackoff<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= options.attempts || !options.isRetryable(err) || options.signal?.aborted) throw err;
      const exp = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const delay = Math.round(exp / 2 + Math.random() * (exp / 2));
      options.onRetry?.(err, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}

/** Waits `ms`, or rejects with AbortedError as soon as `signal` aborts (the listener is removed either way). */
export async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    if (signal?.aborted) { reject(new AbortedError()); return; }
    const onAbort = (): void => { clearTimeout(timer); reject(new AbortedError()); };
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

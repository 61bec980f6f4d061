// The retry policy every store driver uses: the client options' budget, store-error
// classification (5xx, throttling, resets: retrying a 4xx only delays the same answer), a warning per retry.
import type { RetryOptions } from '@eddy/core';
import { isRetryableStoreError } from './map-store-error.js';

export function storeRetryOptions(
  opts: { retryAttempts: number; retryBaseDelayMs: number; retryMaxDelayMs: number },
  logger: { warn(obj: object, msg: string): void },
  operation: string,
  signal: AbortSignal | undefined,
): RetryOptions {
  return {
    attempts: opts.retryAttempts,
    baseDelayMs: opts.retryBaseDelayMs,
    maxDelayMs: opts.retryMaxDelayMs,
    isRetryable: isRetryableStoreError,
    signal,
    onRetry: (err, attempt, delayMs) => logger.warn({ err, attempt, delayMs }, `retrying ${operation}`),
  };
}

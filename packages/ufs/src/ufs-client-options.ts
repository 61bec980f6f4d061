// Tuning shared by the network drivers (s3://, oss://), with every default in one place.
import type { Logger } from '@eddy/core';
import { ValidationError } from '@eddy/core';

export interface UfsClientOptions {
  logger?: Logger;
  /** Deadline for a TCP (and TLS) connection. Default 10 s. */
  connectTimeoutMs?: number;
  /** Deadline from sending a request until its response starts. Default 30 s. */
  requestTimeoutMs?: number;
  /** Upper bound of open sockets per driver instance (keep-alive pool). Default 64. */
  maxSockets?: number;
  /** Attempts per request including the first; only transient failures are retried. Default 4. */
  retryAttempts?: number;
  /** First backoff delay; doubles per attempt, with jitter, up to 5 s. Default 100 ms. */
  retryBaseDelayMs?: number;
}

export const UFS_CLIENT_DEFAULTS = {
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxSockets: 64,
  retryAttempts: 4,
  retryBaseDelayMs: 100,
  retryMaxDelayMs: 5_000,
} as const;

export type ResolvedUfsClientOptions = Required<Omit<UfsClientOptions, 'logger'>> & { retryMaxDelayMs: number };

export function resolveUfsClientOptions(o: UfsClientOptions): ResolvedUfsClientOptions {
  return {
    connectTimeoutMs: o.connectTimeoutMs ?? UFS_CLIENT_DEFAULTS.connectTimeoutMs,
    requestTimeoutMs: o.requestTimeoutMs ?? UFS_CLIENT_DEFAULTS.requestTimeoutMs,
    maxSockets: o.maxSockets ?? UFS_CLIENT_DEFAULTS.maxSockets,
    retryAttempts: o.retryAttempts ?? UFS_CLIENT_DEFAULTS.retryAttempts,
    retryBaseDelayMs: o.retryBaseDelayMs ?? UFS_CLIENT_DEFAULTS.retryBaseDelayMs,
    retryMaxDelayMs: UFS_CLIENT_DEFAULTS.retryMaxDelayMs,
  };
}

/** Parses an http(s) endpoint option, naming the option in the error. */
export function parseEndpoint(value: string, field: string): URL {
  let u: URL;
  try {
    u = new URL(value.includes('://') ? value : `https://${value}`);
  } catch (err) {
    throw new ValidationError(`${field} must be a URL such as http://127.0.0.1:9000, got ${JSON.stringify(value)}`, field, { cause: err });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ValidationError(`${field} must use http:// or https://, got ${JSON.stringify(value)}`, field);
  }
  return u;
}

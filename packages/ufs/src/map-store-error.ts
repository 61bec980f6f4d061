// Turns an object-store client failure (S3 via minio, OSS via ali-oss) into Eddy's typed
// errors, and says whether it is worth retrying. Messages name the mount, never credentials.
import {
  AbortedError, AccessDeniedError, EddyError, NotFoundError, TimeoutError, UnavailableError,
  UnreachableError, VersionMismatchError,
} from '@eddy/core';
import { MissingVersionError } from './ufs-errors.js';

export interface StoreFailure {
  /** Printable mount, e.g. `s3://bucket/prefix`. */
  description: string;
  /** What was attempted, e.g. `stat "a/b"`. */
  operation: string;
  /** The option names that hold credentials, for the hint in access errors. */
  credentialFields: string;
  /** Store error code (`NoSuchKey`, `AccessDenied`, ...) or Node errno (`ECONNRESET`). */
  code: string | undefined;
  /** HTTP status when a response was received. */
  status: number | undefined;
  cause: unknown;
}

export interface MappedStoreError {
  error: EddyError;
  retryable: boolean;
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket', 'NoSuchKeyError', 'NoSuchVersion']);
const ACCESS = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccountProblem', 'InvalidSecurity', 'ExpiredToken', 'InvalidToken']);
const THROTTLE = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'ServiceUnavailable', 'InternalError', 'RequestTimeout', 'TooManyRequests']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET']);

export function mapStoreError(f: StoreFailure): MappedStoreError {
  const { description: mount, operation, code, status, cause } = f;
  const opts = { cause };
  if (cause instanceof AbortedError || (cause as Error | undefined)?.name === 'AbortError') {
    return { error: new AbortedError(`${mount}: ${operation} aborted`, opts), retryable: false };
  }
  if (cause instanceof TimeoutError || code === 'ETIMEDOUT' || code === 'ConnectionTimeoutError' || code === 'ResponseTimeoutError' || code === 'SocketAssignTimeoutError') {
    return { error: new TimeoutError(`${mount}: ${operation} timed out: ${(cause as Error).message}`, opts), retryable: false };
  }
  if (cause instanceof EddyError) return { error: cause, retryable: false };
  if ((code !== undefined && NOT_FOUND.has(code)) || status === 404) {
    const what = code === 'NoSuchBucket' ? 'bucket does not exist' : code === 'NoSuchVersion' ? 'no such version' : 'no such object';
    return { error: new NotFoundError(`${mount}: ${operation}: ${what}`, opts), retryable: false };
  }
  if (code === 'PreconditionFailed' || status === 412) {
    return { error: new VersionMismatchError(`${mount}: ${operation}: the object changed (If-Match failed)`, opts), retryable: false };
  }
  if ((code !== undefined && ACCESS.has(code)) || status === 401 || status === 403) {
    return {
      error: new AccessDeniedError(`access denied to ${mount} (${code ?? `HTTP ${status}`}) on ${operation}: check ${f.credentialFields} in the mount's options`, opts),
      retryable: false,
    };
  }
  if (code !== undefined && UNREACHABLE.has(code)) {
    return { error: new UnreachableError(`${mount}: ${operation}: endpoint unreachable (${code})`, opts), retryable: false };
  }
  if ((code !== undefined && RESET.has(code)) || (cause as Error | undefined)?.message === 'socket hang up') {
    return { error: new UnreachableError(`${mount}: ${operation}: connection lost (${code ?? 'socket hang up'})`, opts), retryable: true };
  }
  if ((code !== undefined && THROTTLE.has(code)) || (status !== undefined && (status >= 500 || status === 429))) {
    return { error: new UnavailableError(`${mount}: ${operation}: store unavailable (${code ?? `HTTP ${status}`})`, opts), retryable: true };
  }
  const detail = code ?? (status !== undefined ? `HTTP ${status}` : (cause as Error | undefined)?.message ?? String(cause));
  return { error: new EddyError('INTERNAL', `${mount}: ${operation} failed: ${detail}`, opts), retryable: false };
}

/** Marks errors that retryWithBackoff may retry, without widening the public error types. */
const retryable = new WeakSet<object>();
export function markRetryable(err: EddyError): EddyError {
  retryable.add(err);
  return err;
}
export function isRetryableStoreError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && retryable.has(err);
}

/** ETags arrive quoted (`"abc"`); versions are compared without quotes. */
/**
 * The ETag of an object as its version; a missing one is refused (MissingVersionError), never
 * turned into an empty version that every later read would match.
 */
export function requireEtag(etag: string | undefined | null, description: string, key: string): string {
  const v = stripEtag(etag);
  if (v === '') throw new MissingVersionError(`${description}: ${JSON.stringify(key)} came without an ETag, so its bytes cannot be tied to a version`);
  return v;
}

export function stripEtag(etag: string | undefined | null): string {
  if (!etag) return '';
  let e = etag.trim();
  if (e.startsWith('W/')) e = e.slice(2);
  return e.replace(/^"+|"+$/g, '');
}

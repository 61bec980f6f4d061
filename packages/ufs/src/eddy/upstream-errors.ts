// Errors from an upstream Eddy cluster, renamed for the downstream: the mount is named (never the
// token), a refused credential (unknown, or not allowed this dataset) is AccessDenied naming the
// option to fix, and a connection that cannot be made is Unreachable, as for the other network drivers.
import { AbortedError, AccessDeniedError, EddyError, errorFromCode, UnavailableError, UnreachableError } from '@eddy/core';
import { EDDY_OPTIONS } from './eddy-mount-settings.js';

/** The codes that mean "the upstream did not answer" (switch to a fallback), not "the upstream said no". */
export const UPSTREAM_DOWN_CODES: ReadonlySet<string> = new Set(['UNREACHABLE', 'UNAVAILABLE', 'TIMEOUT']);

/** True when `err` says the upstream could not be reached or did not answer in time. */
export function isUpstreamDown(err: unknown): boolean {
  return err instanceof EddyError && UPSTREAM_DOWN_CODES.has(err.code);
}

export function upstreamError(err: unknown, description: string, what: string, signal?: AbortSignal): EddyError {
  if (signal?.aborted) return new AbortedError(`${description}: ${what} aborted`);
  if (!(err instanceof EddyError)) {
    return new UnavailableError(`${description}: ${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const message = `${description}: ${what}: ${err.message}`;
  switch (err.code) {
    case 'UNAUTHENTICATED':
    case 'ACCESS_DENIED':
      return new AccessDeniedError(`${description}: the upstream refused the credential in ${EDDY_OPTIONS.token}` +
        ' (give a client credential of the upstream cluster that may read this dataset)', { cause: err });
    // A known credential without the right (another role, or scoped to other datasets): the
    // upstream's message says which (it names the call and the dataset, never the token).
    case 'PERMISSION_DENIED':
      return new AccessDeniedError(`${description}: ${what}: the upstream does not allow the credential in ${EDDY_OPTIONS.token}: ${err.message}` +
        ' (give a client credential of the upstream cluster scoped to this dataset)', { cause: err });
    // grpc-js reports a refused connection as UNAVAILABLE: for a mount that is an unreachable endpoint.
    case 'UNAVAILABLE':
      return /ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|No connection established|connect/i.test(err.message)
        ? new UnreachableError(message, { cause: err }) : new UnavailableError(message, { cause: err });
    case 'INTERNAL':
      if (/cancel/i.test(err.message) && signal?.aborted) return new AbortedError(message, { cause: err });
      return new UnavailableError(message, { cause: err });
    default:
      return errorFromCode(err.code, message);
  }
}

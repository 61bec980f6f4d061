// Typed errors shared by every Eddy component. Each condition has one class with a
// stable `name` and `code`; edges map `code` to a gRPC status (rpc/) or an errno (fuse-client).

export type EddyErrorCode =
  | 'NOT_FOUND'
  | 'VERSION_MISMATCH'
  | 'ACCESS_DENIED'
  | 'PERMISSION_DENIED'
  | 'UNREACHABLE'
  | 'TIMEOUT'
  | 'INVALID_ARGUMENT'
  | 'UNAUTHENTICATED'
  | 'PROTOCOL'
  | 'NO_SPACE'
  | 'CORRUPT'
  | 'UNAVAILABLE'
  | 'ABORTED'
  | 'READ_ONLY'
  | 'INTERNAL';

export class EddyError extends Error {
  readonly code: EddyErrorCode;
  constructor(code: EddyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'EddyError';
  }
}

/** The object (or path) does not exist. */
export class NotFoundError extends EddyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NOT_FOUND', message, options);
    this.name = 'NotFoundError';
  }
}

/** The object exists but no longer has the version the caller pinned (ETag / If-Match). */
export class VersionMismatchError extends EddyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('VERSION_MISMATCH', message, options);
    this.name = 'VersionMismatchError';
  }
}

/** Credentials were refused. Messages name the mount, never the secret. */
export class AccessDeniedError extends EddyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ACCESS_DENIED', message, options);
    this.name = 'AccessDeniedError';
  }
}

/**
 * The caller is authenticated but its role (admin, worker, client) or its credential's dataset
 * scope does not allow the call. Not ACCESS_DENIED, which is a store refusing our credentials.
 */
export class PermissionDeniedError extends EddyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PERMISSION_DENIED', message, options);
    this.name = 'PermissionDeniedError';
  }
}

/** The endpoint could not be reached (connection refused, DNS, reset). */
export class UnreachableError extends EddyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNREACHABLE', message, options);
    this.name = 'UnreachableError';
  }
}

/** An operation did not finish within its deadline. */
export class TimeoutError extends EddyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TIMEOUT', message, options);
    this.name = 'TimeoutError';
  }
}

/** Input from outside (manifest, flag, wire message, listing, file on disk) is invalid. */
export class ValidationError extends EddyError {
  /** Dotted path of the offending field, e.g. `documents[1].spec.tieredstore.levels[0].quota`. */
  readonly field: string | undefined;
  constructor(message: string, field?: string, options?: { cause?: unknown }) {
    super('INVALID_ARGUMENT', message, options);
    this.name = 'ValidationError';
    this.field = field;
  }
}

/** Missing or wrong cluster token. */
export class UnauthenticatedError extends EddyError {
  constructor(message = 'missing or invalid cluster token', options?: { cause?: unknown }) {
    super('UNAUTHENTICATED', message, options);
    this.name = 'UnauthenticatedError';
  }
}

/** A peer broke the wire protocol (malformed or oversized frame). */
export class ProtocolError extends EddyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROTOCOL', message, options);
    this.name = 'ProtocolError';
  }
}

/** No tier has room for the block. */
export class NoSpaceError extends EddyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NO_SPACE', message, options);
    this.name = 'NoSpaceError';
  }
}

/** A cached block failed checksum verification. */
export class CorruptBlockError extends EddyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CORRUPT', message, options);
    this.name = 'CorruptBlockError';
  }
}

/** A server-side component is not available (closed, shutting down, no worker). */
export class UnavailableError extends EddyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNAVAILABLE', message, options);
    this.name = 'UnavailableError';
  }
}

/** The caller aborted the operation through its AbortSignal. */
export class AbortedError extends EddyError {
  constructor(message = 'operation aborted', options?: { cause?: unknown }) {
    super('ABORTED', message, options);
    this.name = 'AbortedError';
  }
}

/** A write or other change on something that is read-only (a ReadOnlyMany dataset's mount). */
export class ReadOnlyError extends EddyError {
  constructor(message = 'read-only', options?: { cause?: unknown }) {
    super('READ_ONLY', message, options);
    this.name = 'ReadOnlyError';
  }
}

export function isEddyError(err: unknown): err is EddyError {
  return err instanceof EddyError;
}

/** Rebuild a typed error from a code received over the wire. */
export function errorFromCode(code: string, message: string): EddyError {
  switch (code) {
    case 'NOT_FOUND': return new NotFoundError(message);
    case 'VERSION_MISMATCH': return new VersionMismatchError(message);
    case 'ACCESS_DENIED': return new AccessDeniedError(message);
    case 'PERMISSION_DENIED': return new PermissionDeniedError(message);
    case 'UNREACHABLE': return new UnreachableError(message);
    case 'TIMEOUT': return new TimeoutError(message);
    case 'INVALID_ARGUMENT': return new ValidationError(message);
    case 'UNAUTHENTICATED': return new UnauthenticatedError(message);
    case 'PROTOCOL': return new ProtocolError(message);
    case 'NO_SPACE': return new NoSpaceError(message);
    case 'CORRUPT': return new CorruptBlockError(message);
    case 'UNAVAILABLE': return new UnavailableError(message);
    case 'ABORTED': return new AbortedError(message);
    case 'READ_ONLY': return new ReadOnlyError(message);
    default: return new EddyError('INTERNAL', message);
  }
}

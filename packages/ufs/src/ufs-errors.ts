// Typed errors of @eddy/ufs. Each extends the @eddy/core class whose code it travels as, so a
// caller across gRPC still sees the right condition; the subclass names the cause locally.
import { AccessDeniedError, ProtocolError } from '@eddy/core';

/**
 * The store answered without an ETag, so the bytes cannot be tied to a version: caching them
 * under one could serve stale or mixed content forever. Refused rather than guessed.
 */
export class MissingVersionError extends ProtocolError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MissingVersionError';
  }
}

/** A mount URL outside the allowlists this process was started with (file roots, endpoints). */
export class UfsNotAllowedError extends AccessDeniedError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UfsNotAllowedError';
  }
}

// Typed errors of the filesystem operations, so every refusal is a class with a stable `name` and
// `code` and the errno is chosen in one place (errno.ts). A write to a read-only mount is
// @eddy/core's ReadOnlyError (EROFS).
import { EddyError } from '@eddy/core';

/** A write to a ReadWriteMany dataset: Eddy caches reads only. Maps to ENOTSUP. */
export class WriteNotSupportedError extends EddyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_ARGUMENT', message, options);
    this.name = 'WriteNotSupportedError';
  }
}

/** A directory operation on a file. Maps to ENOTDIR. */
export class NotADirectoryError extends EddyError {
  constructor(path: string) {
    super('INVALID_ARGUMENT', `${path}: not a directory`);
    this.name = 'NotADirectoryError';
  }
}

/** A file operation (open) on a directory. Maps to EISDIR. */
export class IsADirectoryError extends EddyError {
  constructor(path: string) {
    super('INVALID_ARGUMENT', `${path}: is a directory`);
    this.name = 'IsADirectoryError';
  }
}

/** A file handle the filesystem does not know (closed, or never opened). Maps to EBADF. */
export class BadHandleError extends EddyError {
  constructor(fd: number) {
    super('INVALID_ARGUMENT', `no open file handle ${fd}`);
    this.name = 'BadHandleError';
  }
}

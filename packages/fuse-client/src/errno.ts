// Typed errors → the negative errno values FUSE callbacks take: the one place that chooses them.
import { EddyError } from '@eddy/core';
import { BadHandleError, IsADirectoryError, NotADirectoryError, WriteNotSupportedError } from './fuse-errors.js';

export const ERRNO = {
  EPERM: -1, ENOENT: -2, EIO: -5, EBADF: -9, EACCES: -13, EEXIST: -17, ENOTDIR: -20, EISDIR: -21,
  EINVAL: -22, EROFS: -30, ENOSYS: -38, ENOTEMPTY: -39, ENOTSUP: -95, ETIMEDOUT: -110, ESTALE: -116,
} as const;

export function errnoOf(err: unknown): number {
  // Conditions that share a code with others are told apart by class first.
  if (err instanceof NotADirectoryError) return ERRNO.ENOTDIR;
  if (err instanceof IsADirectoryError) return ERRNO.EISDIR;
  if (err instanceof BadHandleError) return ERRNO.EBADF;
  if (err instanceof WriteNotSupportedError) return ERRNO.ENOTSUP;
  if (err instanceof EddyError) {
    switch (err.code) {
      case 'NOT_FOUND': return ERRNO.ENOENT;
      case 'ACCESS_DENIED': return ERRNO.EACCES;
      case 'PERMISSION_DENIED': return ERRNO.EACCES;
      case 'READ_ONLY': return ERRNO.EROFS;
      case 'INVALID_ARGUMENT': return ERRNO.EINVAL;
      case 'TIMEOUT': return ERRNO.ETIMEDOUT;
      // VERSION_MISMATCH (a pinned version gone from every worker and the bucket) stays EIO: the
      // read fails rather than mixing versions, and applications know EIO as "this read failed".
      default: return ERRNO.EIO;
    }
  }
  return ERRNO.EIO;
}

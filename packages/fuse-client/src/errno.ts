// Typed errors → the negative errno values FUSE callbacks take.
import { EddyError } from '@eddy/core';
import { ReadFailedError } from './read-path/block-reader.js';

export const ERRNO = {
  EPERM: -1, ENOENT: -2, EIO: -5, EBADF: -9, EACCES: -13, EEXIST: -17, ENOTDIR: -20, EISDIR: -21,
  EINVAL: -22, EROFS: -30, ENOSYS: -38, ENOTEMPTY: -39, ENOTSUP: -95, ETIMEDOUT: -110, ESTALE: -116,
} as const;

export function errnoOf(err: unknown): number {
  if (err instanceof ReadFailedError) return ERRNO.EIO;
  if (err instanceof EddyError) {
    switch (err.code) {
      case 'NOT_FOUND': return ERRNO.ENOENT;
      case 'ACCESS_DENIED': return ERRNO.EACCES;
      case 'READ_ONLY': return ERRNO.EROFS;
      case 'INVALID_ARGUMENT': return ERRNO.EINVAL;
      default: return ERRNO.EIO;
    }
  }
  return ERRNO.EIO;
}

// Typed errors map to errno values in one place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotFoundError, ReadOnlyError, TimeoutError, UnavailableError, ValidationError, VersionMismatchError } from '@eddy/core';
import { ERRNO, errnoOf } from '../src/errno.js';
import {
  BadHandleError, IsADirectoryError, NotADirectoryError, WriteNotSupportedError,
} from '../src/fuse-errors.js';
import { ReadFailedError } from '../src/read-path/read-failed-error.js';

test('errnoOf: each condition has its errno', () => {
  const cases: Array<[unknown, number]> = [
    [new NotFoundError('x'), ERRNO.ENOENT],
    [new TimeoutError('x'), ERRNO.ETIMEDOUT],
    [new ReadOnlyError('x'), ERRNO.EROFS],
    [new WriteNotSupportedError('x'), ERRNO.ENOTSUP],
    [new NotADirectoryError('/f'), ERRNO.ENOTDIR],
    [new IsADirectoryError('/d'), ERRNO.EISDIR],
    [new BadHandleError(7), ERRNO.EBADF],
    [new ValidationError('x'), ERRNO.EINVAL],
    [new ReadFailedError('x', true), ERRNO.EIO],
    [new VersionMismatchError('x'), ERRNO.EIO],
    [new UnavailableError('x'), ERRNO.EIO],
    [new Error('untyped'), ERRNO.EIO],
  ];
  for (const [err, errno] of cases) assert.equal(errnoOf(err), errno, (err as Error).name);
});

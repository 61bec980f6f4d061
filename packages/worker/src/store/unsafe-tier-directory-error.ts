// A tier directory that another user could plant or swap block files in (a symlink, someone
// else's, writable by group or others): the worker refuses to start, naming it and the fix.
import { EddyError } from '@eddy/core';

export class UnsafeTierDirectoryError extends EddyError {
  readonly path: string;
  constructor(path: string, tier: string, problem: string, fix: string) {
    super('ACCESS_DENIED', `tier ${tier}: directory ${path} ${problem}; fix: ${fix}`);
    this.name = 'UnsafeTierDirectoryError';
    this.path = path;
  }
}

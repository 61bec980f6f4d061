// A block file a local worker named (LOCAL_OK) that the client will not open: outside the tier
// directories that worker registered, a symlink, not a regular file, the wrong size or owner.
// The read goes through the data channel instead.
import { EddyError } from '@eddy/core';

export class LocalBlockRefusedError extends EddyError {
  /** The path the worker named. */
  readonly path: string;
  constructor(message: string, path: string) {
    super('ACCESS_DENIED', message);
    this.name = 'LocalBlockRefusedError';
    this.path = path;
  }
}

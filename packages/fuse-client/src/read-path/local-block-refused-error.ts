// A block file a local worker named (LOCAL_OK) that the client will not open: outside the tier
// directories that worker registered, a symlink, not a regular file, the wrong size or owner.
// The read goes through the data channel instead.
import { EddyError } from '@eddy/core';

export class LocalBlockRefusedError extends EddyError {
  /** The path the worker named. */
  readonly path: string;
  /** The file was not there (evicted since it was named or seen): a miss rather than a sign of tampering. */
  readonly gone: boolean;
  constructor(message: string, path: string, gone = false) {
    super('ACCESS_DENIED', message);
    this.name = 'LocalBlockRefusedError';
    this.path = path;
    this.gone = gone;
  }
}

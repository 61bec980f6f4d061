// The read path's only failure: no source could serve the bytes.
import { EddyError } from '@eddy/core';

/** Every source failed; `stale` when the pinned version no longer exists anywhere. Maps to EIO. */
export class ReadFailedError extends EddyError {
  readonly stale: boolean;
  constructor(message: string, stale: boolean, options?: { cause?: unknown }) {
    super(stale ? 'VERSION_MISMATCH' : 'UNAVAILABLE', message, options);
    this.name = 'ReadFailedError';
    this.stale = stale;
  }
}

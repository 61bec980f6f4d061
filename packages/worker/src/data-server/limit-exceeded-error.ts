// A peer asked for more than a worker's cap allows (connections, pins): the request is refused,
// the worker keeps serving everyone else. UNAVAILABLE on the wire, so a client tries elsewhere.
import { EddyError } from '@eddy/core';

export class LimitExceededError extends EddyError {
  /** The option that sets the cap (e.g. `maxPinsPerConnection`). */
  readonly limit: string;
  constructor(message: string, limit: string) {
    super('UNAVAILABLE', message);
    this.name = 'LimitExceededError';
    this.limit = limit;
  }
}

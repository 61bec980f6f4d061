// Block keys are file names: a conservative alphabet keeps wire-supplied keys from escaping the tier.
import { ValidationError } from '@eddy/core';

export const BLOCK_KEY_RE = /^[A-Za-z0-9_-]{2,128}$/;

export function checkBlockKey(key: unknown, field = 'key'): string {
  if (typeof key !== 'string' || !BLOCK_KEY_RE.test(key)) throw new ValidationError(`${field} must match ${BLOCK_KEY_RE.source}`, field);
  return key;
}

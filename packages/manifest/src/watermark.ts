// Tier watermarks: Fluid writes them as strings ("0.99"), YAML users often as numbers.
import { ValidationError } from '@eddy/core';
import { quoteValue } from './quantity.js';

/** Parse a watermark ratio given as a number or a decimal string into a number in (0, 1]. */
export function parseWatermark(value: unknown, field = 'watermark'): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\s*(?:\d+(?:\.\d*)?|\.\d+)\s*$/.test(value)) n = Number(value);
  else if (typeof value === 'string') throw new ValidationError(`${quoteValue(value)} is not a ratio; write a decimal in (0, 1] such as "0.9"`, field);
  else throw new ValidationError(`expected a ratio in (0, 1] such as "0.9", got ${value === null ? 'null' : typeof value}`, field);
  if (!Number.isFinite(n) || n <= 0 || n > 1) {
    throw new ValidationError(`${quoteValue(value)} is outside (0, 1]; a watermark is a fraction of the tier quota such as "0.9"`, field);
  }
  return n;
}

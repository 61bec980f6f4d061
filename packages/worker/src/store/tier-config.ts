// The configuration of one storage tier, validated once where it enters the worker. The media and
// the default watermarks are the Runtime manifest's (@eddy/manifest): one source for both.
import { ValidationError } from '@eddy/core';
import { MEDIUM_TYPES, type MediumType } from '@eddy/manifest';

export interface TierConfig {
  medium: MediumType;
  /** Directory holding the tier (e.g. /dev/shm); blocks live under `<path>/eddy/<runtime>/`. */
  path: string;
  /** Hard limit on the bytes of block files (and reservations) in this tier. */
  quotaBytes: number;
  /** Eviction starts when usage would pass `high × quota` (ratio in (0, 1]). */
  high: number;
  /** Eviction stops once usage is at most `low × quota` (ratio in [0, high]). */
  low: number;
}

/** Throws ValidationError naming `field[i].x` for the first invalid tier; returns a copy. */
export function validateTiers(tiers: readonly TierConfig[], field = 'tiers'): TierConfig[] {
  if (tiers.length === 0) throw new ValidationError(`${field}: at least one tier is required`, field);
  const seen = new Set<string>();
  return tiers.map((t, i) => {
    const f = `${field}[${i}]`;
    if (!MEDIUM_TYPES.includes(t.medium)) {
      throw new ValidationError(`${f}.medium must be one of ${MEDIUM_TYPES.join(', ')}, got ${JSON.stringify(t.medium)}`, `${f}.medium`);
    }
    if (typeof t.path !== 'string' || t.path === '') throw new ValidationError(`${f}.path must be a non-empty directory path`, `${f}.path`);
    if (seen.has(t.path)) throw new ValidationError(`${f}.path ${t.path} is used by two tiers`, `${f}.path`);
    seen.add(t.path);
    if (!Number.isSafeInteger(t.quotaBytes) || t.quotaBytes <= 0) throw new ValidationError(`${f}.quotaBytes must be a positive integer, got ${t.quotaBytes}`, `${f}.quotaBytes`);
    if (!(t.high > 0 && t.high <= 1)) throw new ValidationError(`${f}.high must be in (0, 1], got ${t.high}`, `${f}.high`);
    if (!(t.low >= 0 && t.low <= t.high)) throw new ValidationError(`${f}.low must be in [0, high=${t.high}], got ${t.low}`, `${f}.low`);
    return { ...t };
  });
}

// DataLoad DURATION as Fluid prints it: Go's time.Duration.String() of the run time rounded to
// whole seconds (2m12s, 45s, 1h0m5s, 0s).
import { ValidationError } from '../errors.js';

/** Format a duration given in milliseconds, rounded to the nearest second (half away from zero). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new ValidationError(`formatDuration needs a finite number, got ${ms}`, 'ms');
  const sign = ms < 0 ? '-' : '';
  const total = Math.round(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${sign}${h}h${m}m${s}s`;
  if (m > 0) return `${sign}${m}m${s}s`;
  return total === 0 ? '0s' : `${sign}${s}s`;
}

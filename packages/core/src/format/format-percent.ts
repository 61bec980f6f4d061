// CACHED PERCENTAGE as Fluid prints it (`100.0%`), but truthful: it rounds down, so 100.0% means
// everything is cached, and it is clamped to [0, 100] (Fluid once showed 1.15MiB of 588.90KiB as 100.0%).
import { ValidationError } from '../errors.js';

/** `part / total` as a percentage with one decimal, rounded down; `0.0%` when total is 0. */
export function formatPercent(part: number, total: number): string {
  if (!Number.isFinite(part) || !Number.isFinite(total)) throw new ValidationError(`formatPercent needs finite numbers, got ${part}/${total}`, 'part');
  if (total <= 0 || part <= 0) return '0.0%';
  if (part >= total) return '100.0%';
  // Integer tenths avoid 99.95 printing as 100.0 through toFixed's rounding.
  const tenths = Math.min(999, Math.floor((part / total) * 1000));
  return `${(tenths / 10).toFixed(1)}%`;
}

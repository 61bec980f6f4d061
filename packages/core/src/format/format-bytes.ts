// Sizes as Fluid prints them in `kubectl get dataset`: binary units, two decimals (588.90KiB).
import { ValidationError } from '../errors.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** `0.00B`, `588.90KiB`, `10.00GiB`. A value that would round to 1024.00 moves to the next unit. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) throw new ValidationError(`formatBytes needs a finite number, got ${bytes}`, 'bytes');
  if (bytes < 0) return `-${formatBytes(-bytes)}`;
  let value = bytes;
  let unit = 0;
  while (unit < UNITS.length - 1 && Number(value.toFixed(2)) >= 1024) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(2)}${UNITS[unit] ?? 'B'}`;
}

// Kubernetes resource quantities (`2Gi`, `500Mi`, `10G`, `1.5Gi`, `1e9`, plain bytes) as byte
// counts. Arithmetic is exact (BigInt over the decimal digits) so `0.3M` is 300000, not 300001.
import { ValidationError } from '@eddy/core';

const BINARY: Record<string, bigint> = {
  Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n,
};
const DECIMAL: Record<string, bigint> = {
  k: 10n ** 3n, M: 10n ** 6n, G: 10n ** 9n, T: 10n ** 12n, P: 10n ** 15n, E: 10n ** 18n,
};
const QUANTITY_RE = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|[eE][+-]?\d{1,3})?$/;
// Common spellings that are not quantities, with the spelling the user most likely meant.
const HINTS: Record<string, string> = {
  kb: 'k', kib: 'Ki', ki: 'Ki', K: 'k', KB: 'k', KiB: 'Ki', mb: 'M', MB: 'M', MiB: 'Mi', mi: 'Mi', gb: 'G', GB: 'G',
  GiB: 'Gi', gi: 'Gi', g: 'G', tb: 'T', TB: 'T', TiB: 'Ti', ti: 'Ti', t: 'T', B: '', b: '',
};
const EXAMPLE = '(e.g. 2Gi, 500Mi)';

/** String(v) without running hostile conversions: a mapping `{toString: false}` makes String throw. */
function safeString(v: unknown): string {
  if (typeof v === 'object' && v !== null) return Array.isArray(v) ? '[list]' : '[mapping]';
  return String(v);
}

/** Render an untrusted value for an error message: quoted, shortened, control characters escaped. */
export function quoteValue(v: unknown, max = 40): string {
  const s = typeof v === 'string' ? v : safeString(v);
  const cut = s.length > max ? `${s.slice(0, max)}…` : s;
  // JSON escapes C0 controls but not DEL or the C1 range (0x9b is a CSI on some terminals).
  return JSON.stringify(cut).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Parse a Kubernetes quantity into a whole number of bytes (fractions round up, as
 * Kubernetes does for byte values). The milli suffix `m` and negative values are rejected.
 * Throws ValidationError (field = `field`) naming the value and an example of a valid one.
 */
export function parseQuantity(value: unknown, field = 'quantity'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError(`${quoteValue(value)} is not a Kubernetes quantity ${EXAMPLE}`, field);
    if (value < 0) throw new ValidationError(`${value} must not be negative`, field);
    const bytes = Math.ceil(value);
    if (!Number.isSafeInteger(bytes)) throw new ValidationError(`${value} is too large (at most ${Number.MAX_SAFE_INTEGER} bytes)`, field);
    return bytes;
  }
  if (typeof value !== 'string') {
    throw new ValidationError(`expected a Kubernetes quantity ${EXAMPLE}, got ${value === null ? 'null' : typeof value}`, field);
  }
  const text = value.trim();
  const m = text.length <= 64 ? QUANTITY_RE.exec(text) : null;
  if (!m) {
    const suffix = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)([a-zA-Z]+)$/.exec(text)?.[1];
    if (suffix === 'm') {
      const num = text.slice(0, -1);
      throw new ValidationError(`${quoteValue(value)} uses the milli suffix "m", which is meaningless for bytes; did you mean ${num}M or ${num}Mi?`, field);
    }
    if (suffix !== undefined && suffix in HINTS) {
      const num = text.slice(0, -suffix.length);
      throw new ValidationError(`${quoteValue(value)} is not a Kubernetes quantity; write ${num}${HINTS[suffix] ?? ''} ${EXAMPLE}`, field);
    }
    throw new ValidationError(`${quoteValue(value)} is not a Kubernetes quantity ${EXAMPLE}`, field);
  }
  const [, sign = '', num = '', suffix = ''] = m;
  const [intPart = '', fracPart = ''] = num.split('.');
  let numerator = BigInt((intPart || '0') + fracPart);
  let denominator = 10n ** BigInt(fracPart.length);
  if (sign === '-' && numerator !== 0n) throw new ValidationError(`${quoteValue(value)} must not be negative`, field);
  if (suffix in BINARY) numerator *= BINARY[suffix] ?? 1n;
  else if (suffix in DECIMAL) numerator *= DECIMAL[suffix] ?? 1n;
  else if (suffix !== '') {
    const exp = Number(suffix.slice(1));
    if (exp >= 0) numerator *= 10n ** BigInt(exp);
    else denominator *= 10n ** BigInt(-exp);
  }
  const bytes = (numerator + denominator - 1n) / denominator;
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ValidationError(`${quoteValue(value)} is too large (at most ${Number.MAX_SAFE_INTEGER} bytes)`, field);
  }
  return Number(bytes);
}

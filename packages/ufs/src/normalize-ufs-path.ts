// Validates object keys handed to a UFS driver. Keys come from manifests, FUSE paths and
// listings, so they are checked once here: a key can never climb out of the mount's root.
import { ValidationError } from '@eddy/core';

/**
 * Returns `path` as a clean '/'-separated key relative to the mount (no leading slash).
 * Rejects NUL, absolute paths, empty, `.` and `..` segments with a ValidationError.
 * With `allowEmpty`, '' (the mount root) is accepted and a trailing '/' is dropped (list prefixes).
 */
export function normalizeUfsPath(path: string, options: { allowEmpty?: boolean; field?: string } = {}): string {
  const field = options.field ?? 'path';
  if (typeof path !== 'string') throw new ValidationError(`${field} must be a string`, field);
  if (path.includes('\0')) throw new ValidationError(`${field} must not contain NUL bytes`, field);
  if (path.startsWith('/')) throw new ValidationError(`${field} must be relative to the mount (no leading '/'): ${JSON.stringify(path)}`, field);
  let p = path;
  if (options.allowEmpty) {
    if (p.endsWith('/')) p = p.slice(0, -1);
    if (p === '') return '';
  }
  if (p === '') throw new ValidationError(`${field} must not be empty`, field);
  for (const segment of p.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new ValidationError(`${field} must not contain empty, '.' or '..' segments: ${JSON.stringify(path)}`, field);
    }
  }
  return p;
}

/** The key prefix of a mount URL's path part (`/a/b` or `a/b/` → `a/b/`, `` or `/` → ``). */
export function mountKeyPrefix(urlPath: string, field = 'url'): string {
  let p = urlPath;
  while (p.startsWith('/')) p = p.slice(1);
  const clean = normalizeUfsPath(p, { allowEmpty: true, field });
  return clean === '' ? '' : `${clean}/`;
}

/** Checks a read's offset/length (non-negative safe integers) and returns them with defaults. */
export function normalizeReadRange(offset: number | undefined, length: number | undefined): { offset: number; length: number | undefined } {
  const off = offset ?? 0;
  if (!Number.isSafeInteger(off) || off < 0) throw new ValidationError(`offset must be a non-negative integer, got ${String(offset)}`, 'offset');
  if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) {
    throw new ValidationError(`length must be a non-negative integer, got ${String(length)}`, 'length');
  }
  return { offset: off, length };
}

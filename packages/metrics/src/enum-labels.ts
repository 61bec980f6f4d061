// Bounded values for the labels that are not datasets: an error code, a FUSE operation, a tier.
// Anything outside a known set is folded into one value, so a new error class or an odd op name
// can never add series.
import type { EddyErrorCode } from '@eddy/core';

const ERROR_CODES: ReadonlySet<string> = new Set<EddyErrorCode>([
  'NOT_FOUND', 'VERSION_MISMATCH', 'ACCESS_DENIED', 'PERMISSION_DENIED', 'UNREACHABLE', 'TIMEOUT', 'INVALID_ARGUMENT', 'UNAUTHENTICATED',
  'PROTOCOL', 'NO_SPACE', 'CORRUPT', 'UNAVAILABLE', 'ABORTED', 'READ_ONLY', 'INTERNAL',
]);

/** The `code` label of an error: its EddyErrorCode, or OTHER for anything untyped. */
export function errorCodeLabel(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && ERROR_CODES.has(code) ? code : 'OTHER';
}

/** The operations fuse-native can call (its `ops` keys); others are counted as `other`. */
export const FUSE_OPS = [
  'init', 'access', 'statfs', 'getattr', 'fgetattr', 'flush', 'fsync', 'fsyncdir', 'readdir', 'truncate', 'ftruncate',
  'readlink', 'chown', 'chmod', 'mknod', 'setxattr', 'getxattr', 'listxattr', 'removexattr', 'open', 'opendir', 'read',
  'write', 'release', 'releasedir', 'create', 'utimens', 'unlink', 'rename', 'link', 'symlink', 'mkdir', 'rmdir',
] as const;
const FUSE_OP_SET: ReadonlySet<string> = new Set(FUSE_OPS);

export function fuseOpLabel(op: string): string {
  return FUSE_OP_SET.has(op) ? op : 'other';
}

/** Tier media a Runtime may declare. */
const MEDIA: ReadonlySet<string> = new Set(['MEM', 'SSD', 'HDD']);
/** Tiers per worker with their own series; a Runtime with more levels than this is unusual. */
export const MAX_TIER_LABELS = 8;

/** `tier` (level index) and `medium` labels of a worker's tier. */
export function tierLabels(level: number, medium: string): { tier: string; medium: string } {
  const tier = Number.isInteger(level) && level >= 0 && level < MAX_TIER_LABELS ? String(level) : 'other';
  return { tier, medium: MEDIA.has(medium) ? medium : 'other' };
}

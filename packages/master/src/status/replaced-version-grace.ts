// How long the blocks of a replaced version are kept when no mount holds it open. A mount whose
// metadata predates the replacement can still open the old version for a while: its user-space
// attribute cache answers for up to attr_timeout, and the version the kernel was told before that
// stays pinned for another attr_timeout (see fuse-client's README). Its blocks must still be there.
import { parseFuseArgs, type AccessMode, type FuseOptions } from '@eddy/manifest';

/** Added to twice the timeout: clocks, a slow listing, the time between a listing and the free. */
const MARGIN_MS = 10_000;

/** Grace for a Runtime's fuse args (the timeouts a mount starts from), at most `maxMs`. */
export function replacedVersionGraceMs(fuseArgs: readonly string[], accessMode: AccessMode, maxMs: number): number {
  let o: FuseOptions;
  try {
    o = parseFuseArgs(fuseArgs, accessMode);
  } catch {
    o = parseFuseArgs([], accessMode); // Fluid's defaults: an invalid Runtime is reported where it is applied
  }
  return Math.min(maxMs, 2 * Math.max(o.attrTimeout, o.entryTimeout) * 1000 + MARGIN_MS);
}

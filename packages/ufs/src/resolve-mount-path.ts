// Maps a path in a dataset's namespace to the mount that serves it and the object key inside
// that mount. Master, worker and FUSE client must agree on this, so it lives here.
import { NotFoundError } from '@eddy/core';
import { normalizeUfsPath } from './normalize-ufs-path.js';

export interface ResolvedMountPath {
  /** Index into the `mounts` array given. */
  mountIndex: number;
  /** Key relative to the mount's prefix ('' when the path is the mount point itself). */
  ufsPath: string;
}

/** '/', '', '/a/b/' → '', '', 'a/b'. */
function trimSlashes(p: string): string {
  return p.replace(/^\/+/, '').replace(/\/+$/, '');
}

/**
 * Picks the mount whose dataset `path` (default '/') is the longest whole-segment prefix of
 * `datasetPath`. Throws NotFoundError when no mount covers it, ValidationError for a bad path.
 */
export function resolveMountPath(mounts: ReadonlyArray<{ path?: string | undefined }>, datasetPath: string): ResolvedMountPath {
  const target = trimSlashes(datasetPath);
  if (target !== '') normalizeUfsPath(target, { field: 'datasetPath' });
  let best: ResolvedMountPath | undefined;
  let bestLen = -1;
  mounts.forEach((m, i) => {
    const mp = trimSlashes(m.path ?? '/');
    let rest: string | undefined;
    if (mp === '') rest = target;
    else if (target === mp) rest = '';
    else if (target.startsWith(`${mp}/`)) rest = target.slice(mp.length + 1);
    if (rest !== undefined && mp.length > bestLen) {
      best = { mountIndex: i, ufsPath: rest };
      bestLen = mp.length;
    }
  });
  if (!best) throw new NotFoundError(`no mount of the dataset covers ${JSON.stringify(datasetPath)}`);
  return best;
}

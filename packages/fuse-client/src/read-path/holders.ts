// The read path's one rule for which workers to ask for a block, and in what order.
import type { BlockPlace, WorkerAddress } from './pinned-version.js';

/** What holder selection needs to know about this mount. */
export interface HolderView {
  /** Our host id: holders with the same id share our filesystem (short-circuit reads). '' = none do. */
  readonly hostId: string;
  /** Whether a worker failed a moment ago and is being skipped (ChannelPool). */
  isSuspect(dataAddress: string): boolean;
}

/** Whether `w` runs on this host, so its file-tier blocks can be read straight from their files. */
export function onThisHost(w: WorkerAddress, view: HolderView): boolean {
  return view.hostId !== '' && w.hostId === view.hostId;
}

/**
 * The workers worth asking for block `place`, best first: holders of this version (plus `extra`,
 * the preferred worker once it has fetched the block for us) that have a data address and have
 * not just failed; those on this host first, in the master's order, then the others shuffled so
 * that readers spread over the replicas.
 */
export function selectHolders(place: BlockPlace, view: HolderView, extra?: WorkerAddress): WorkerAddress[] {
  const local: WorkerAddress[] = [];
  const remote: WorkerAddress[] = [];
  const consider = (w: WorkerAddress): void => {
    if (w.dataAddress === '' || view.isSuspect(w.dataAddress)) return;
    if (local.some((h) => h.dataAddress === w.dataAddress) || remote.some((h) => h.dataAddress === w.dataAddress)) return;
    (onThisHost(w, view) ? local : remote).push(w);
  };
  for (const h of place.holders) consider(h);
  if (extra) consider(extra);
  return remote.length > 1 ? [...local, ...shuffle(remote)] : [...local, ...remote];
}

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

// Why a block that belongs to no current version is not freed yet. Two reasons, both bounded:
// - a mount holds its version open (HoldVersions leases): a handle reads a version to its end, so
//   those blocks stay, pinned on their workers, until the last handle closes or the lease expires
//   (a mount that died stops renewing);
// - the version was replaced less than a grace period ago: a mount whose metadata is still within
//   its attribute timeout may open it yet, and must find its blocks.
// Everything else outside the current versions is freed, as before.
import { blockCount, blockKey } from '@eddy/core';

/** A version a mount has open. */
export interface HeldFile {
  path: string;
  version: string;
  size: number;
}

export interface BlockRetentionOptions {
  /** How long a mount's set of held versions lasts without a renewal. */
  leaseMs: number;
  /** How long a block is kept after it was first seen outside the current versions. */
  graceMs: (dataset: string) => number;
  blockSizeOf: (dataset: string) => number;
  /** Most versions one mount may hold per dataset: a bound on memory, not a limit met in practice. */
  maxFilesPerClient?: number;
  now?: () => number;
}

interface Lease {
  files: HeldFile[];
  expiresAt: number;
}

interface DatasetRetention {
  /** clientId → its held versions. */
  leases: Map<string, Lease>;
  /** Keys of every held version, rebuilt when a lease changes (undefined = stale). */
  heldKeys: Set<string> | undefined;
  heldBlockSize: number;
  /** Key → when it was first seen outside the current versions. */
  firstStale: Map<string, number>;
}

const DEFAULT_MAX_FILES_PER_CLIENT = 100_000;

export class BlockRetention {
  readonly #o: BlockRetentionOptions;
  readonly #now: () => number;
  readonly #datasets = new Map<string, DatasetRetention>();
  #lastSweep: number;

  constructor(options: BlockRetentionOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#lastSweep = this.#now();
  }

  get leaseMs(): number {
    return this.#o.leaseMs;
  }

  /**
   * Replaces what `clientId` holds in `dataset` (an empty list releases everything). Returns the
   * block keys of the versions it released, so the caller can free those nothing retains any more.
   */
  hold(dataset: string, clientId: string, files: HeldFile[]): string[] {
    const d = this.#dataset(dataset);
    const before = d.leases.get(clientId);
    const max = this.#o.maxFilesPerClient ?? DEFAULT_MAX_FILES_PER_CLIENT;
    const kept = files.slice(0, max);
    if (kept.length === 0) d.leases.delete(clientId);
    else d.leases.set(clientId, { files: kept, expiresAt: this.#now() + this.#o.leaseMs });
    const changed = !before || !sameFiles(before.files, kept);
    if (changed) d.heldKeys = undefined;
    if (!before || !changed) return [];
    const now = new Set(kept.map(fileId));
    return this.#keysOf(dataset, before.files.filter((f) => !now.has(fileId(f))));
  }

  #keysOf(dataset: string, files: HeldFile[]): string[] {
    const bs = this.#o.blockSizeOf(dataset);
    const keys: string[] = [];
    for (const f of files) {
      const n = blockCount(f.size, bs);
      for (let i = 0; i < n; i++) keys.push(blockKey(dataset, f.path, f.version, i, bs));
    }
    return keys;
  }

  /** Block keys of every version a mount holds open in `dataset`: these are pinned on workers. */
  heldKeys(dataset: string): ReadonlySet<string> {
    const d = this.#datasets.get(dataset);
    if (!d) return EMPTY;
    const bs = this.#o.blockSizeOf(dataset);
    if (d.heldKeys && d.heldBlockSize === bs) return d.heldKeys;
    const keys = new Set<string>();
    for (const lease of d.leases.values()) for (const k of this.#keysOf(dataset, lease.files)) keys.add(k);
    d.heldKeys = keys;
    d.heldBlockSize = bs;
    return keys;
  }

  /** A held version of `path` (its size, for block locations of a version that is no longer current). */
  heldFile(dataset: string, path: string, version: string): HeldFile | undefined {
    for (const lease of this.#datasets.get(dataset)?.leases.values() ?? []) {
      const f = lease.files.find((x) => x.path === path && x.version === version);
      if (f) return f;
    }
    return undefined;
  }

  /**
   * Of `stale` (keys of `dataset` outside its current versions), the ones nothing retains: not held
   * by a mount, and first seen stale at least the grace period ago. Remembers when each was first seen.
   */
  freeable(dataset: string, stale: Iterable<string>): string[] {
    const d = this.#dataset(dataset);
    const held = this.heldKeys(dataset);
    const now = this.#now();
    const grace = this.#o.graceMs(dataset);
    const out: string[] = [];
    for (const k of stale) {
      // The grace period runs from when the key was first seen stale, held or not: a version
      // released after it is freed at once.
      let first = d.firstStale.get(k);
      if (first === undefined) d.firstStale.set(k, (first = now));
      if (!held.has(k) && now - first >= grace) out.push(k);
    }
    return out;
  }

  /** Whether `key` is kept now (held, or stale for less than the grace period). */
  retains(dataset: string, key: string): boolean {
    if (this.heldKeys(dataset).has(key)) return true;
    const first = this.#datasets.get(dataset)?.firstStale.get(key);
    return first !== undefined && this.#now() - first < this.#o.graceMs(dataset);
  }

  /**
   * Drops expired leases and grace entries long past their period. Returns the datasets where a
   * lease expired or a grace period ended since the last sweep: their stale blocks may be freed now.
   */
  sweep(): string[] {
    const now = this.#now();
    const out: string[] = [];
    for (const [dataset, d] of this.#datasets) {
      let shrank = false;
      for (const [client, lease] of d.leases) {
        if (lease.expiresAt > now) continue;
        d.leases.delete(client);
        d.heldKeys = undefined;
        shrank = true;
      }
      const grace = this.#o.graceMs(dataset);
      for (const [k, first] of d.firstStale) {
        const ends = first + grace;
        // Ended since the last sweep: free now. Long past: the block is gone (or a worker that
        // reports it again starts a new period), so forget it.
        if (ends > this.#lastSweep && ends <= now) shrank = true;
        if (now - ends >= grace + FORGET_AFTER_MS) d.firstStale.delete(k);
      }
      if (shrank) out.push(dataset);
      if (d.leases.size === 0 && d.firstStale.size === 0) this.#datasets.delete(dataset);
    }
    this.#lastSweep = now;
    return out;
  }

  #dataset(dataset: string): DatasetRetention {
    let d = this.#datasets.get(dataset);
    if (!d) this.#datasets.set(dataset, (d = { leases: new Map(), heldKeys: undefined, heldBlockSize: 0, firstStale: new Map() }));
    return d;
  }
}

/** How long after its grace period a stale key is still remembered (a free may need a retry). */
const FORGET_AFTER_MS = 60_000;

const EMPTY: ReadonlySet<string> = new Set();

function fileId(f: HeldFile): string {
  return `${f.path}\0${f.version}\0${f.size}`;
}

function sameFiles(a: HeldFile[], b: HeldFile[]): boolean {
  if (a.length !== b.length) return false;
  const ids = new Set(a.map(fileId));
  return b.every((f) => ids.has(fileId(f)));
}

// All dataset namespaces of the master: creates them as Datasets are applied, serves lookups
// from memory, refreshes a dataset on demand when a path is unknown (rate limited, with a short
// negative cache so a storm of lookups for a missing file costs one listing), and optionally on
// an interval.
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { NotFoundError } from '@eddy/core';
import { MASTER_DEFAULTS } from '../master-options.js';
import { DatasetNamespace, normalizeDatasetPath, type DirEntryInfo, type NamespaceMount, type UfsFactory } from './dataset-namespace.js';

export interface NamespaceManagerOptions {
  createUfs: UfsFactory;
  logger: Logger;
  /** Minimum time between two on-demand refreshes of one dataset (MASTER_DEFAULTS.onDemandRefreshMinIntervalMs). */
  minOnDemandRefreshMs?: number;
  /** How long a miss is remembered (MASTER_DEFAULTS.negativeCacheTtlMs). */
  negativeTtlMs?: number;
  /** Refresh every dataset on this interval; 0/undefined = never. */
  refreshIntervalMs?: number;
  /** Mounts of one dataset listed at once (MASTER_DEFAULTS.listConcurrency). */
  listConcurrency?: number;
  /** Deadline of one full listing (MASTER_DEFAULTS.listingTimeoutMs). */
  refreshTimeoutMs?: number;
  /** Called after every successful refresh (status, stale-block detection). */
  onRefreshed?: (ns: DatasetNamespace) => void;
}

/** Misses remembered at most (an LRU: a scan of random names cannot grow it without bound). */
const NEGATIVE_CACHE_ENTRIES = 10_000;

export class NamespaceManager {
  readonly #options: NamespaceManagerOptions;
  readonly #byName = new Map<string, DatasetNamespace>();
  readonly #negative: LRUCache<string, true>;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: NamespaceManagerOptions) {
    this.#options = options;
    this.#negative = new LRUCache({ max: NEGATIVE_CACHE_ENTRIES, ttl: options.negativeTtlMs ?? MASTER_DEFAULTS.negativeCacheTtlMs });
    const every = options.refreshIntervalMs ?? 0;
    if (every > 0) {
      this.#timer = setInterval(() => { this.#refreshAllQuietly(); }, every);
      this.#timer.unref();
    }
  }

  /** Creates the namespace of a dataset, or updates its mounts. */
  ensure(dataset: string, mounts: NamespaceMount[]): DatasetNamespace {
    let ns = this.#byName.get(dataset);
    if (ns) {
      ns.setMounts(mounts);
    } else {
      const { createUfs, logger, listConcurrency, refreshTimeoutMs } = this.#options;
      ns = new DatasetNamespace({ dataset, mounts, createUfs, logger, listConcurrency, refreshTimeoutMs });
      this.#byName.set(dataset, ns);
    }
    return ns;
  }

  remove(dataset: string): void {
    this.#byName.delete(dataset);
  }

  get(dataset: string): DatasetNamespace | undefined {
    return this.#byName.get(dataset);
  }

  /** The namespace of `dataset`, or NotFoundError. */
  require(dataset: string): DatasetNamespace {
    const ns = this.#byName.get(dataset);
    if (!ns) throw new NotFoundError(`dataset ${JSON.stringify(dataset)} does not exist`);
    return ns;
  }

  all(): DatasetNamespace[] {
    return [...this.#byName.values()];
  }

  /** Lists the dataset's mounts now (coalesced with a refresh already running). */
  async refresh(dataset: string): Promise<{ files: number; bytes: number }> {
    const ns = this.require(dataset);
    const r = await ns.refresh();
    this.#clearNegative(dataset);
    this.#options.onRefreshed?.(ns);
    return r;
  }

  /**
   * A refresh asked for by a caller that may not force listings (a client): a listing younger than
   * minOnDemandRefreshMs answers instead, so such callers cost at most one listing per interval.
   */
  async refreshUnlessRecent(dataset: string): Promise<{ files: number; bytes: number }> {
    const ns = this.require(dataset);
    const min = this.#options.minOnDemandRefreshMs ?? MASTER_DEFAULTS.onDemandRefreshMinIntervalMs;
    if (ns.loaded && Date.now() - ns.lastRefreshMs < min) return { files: ns.fileCount, bytes: ns.totalBytes };
    return await this.refresh(dataset);
  }

  /** Makes sure the dataset has been listed at least once. */
  async loaded(dataset: string): Promise<DatasetNamespace> {
    const ns = this.require(dataset);
    if (!ns.loaded) await this.refresh(dataset);
    return ns;
  }

  /**
   * Stat with refresh on demand: an unknown path triggers one refresh (unless one ran within
   * minOnDemandRefreshMs), and a path still unknown is remembered as missing for negativeTtlMs.
   */
  async lookup(dataset: string, path: string): Promise<DirEntryInfo> {
    const ns = await this.loaded(dataset);
    const p = normalizeDatasetPath(path);
    const hit = ns.stat(p);
    if (hit) return hit;
    const nkey = `${dataset}\u0000${p}`;
    if (!this.#negative.has(nkey) && Date.now() - ns.lastRefreshMs >= (this.#options.minOnDemandRefreshMs ?? MASTER_DEFAULTS.onDemandRefreshMinIntervalMs)) {
      try {
        await this.refresh(dataset);
      } catch (err) {
        // The last good listing still answers; the failure is recorded on the namespace
        // (dataset phase Failed) and the path is reported missing below.
        this.#options.logger.debug({ dataset, path: p, err }, 'on-demand refresh failed');
      }
      const again = ns.stat(p);
      if (again) return again;
    }
    this.#negative.set(nkey, true);
    throw new NotFoundError(`no such file or directory ${p} in dataset ${dataset}`);
  }

  #clearNegative(dataset: string): void {
    const prefix = `${dataset}\u0000`;
    for (const k of this.#negative.keys()) if (k.startsWith(prefix)) this.#negative.delete(k);
  }

  #refreshAllQuietly(): void {
    for (const ns of this.#byName.values()) {
      // Failures are recorded on the namespace (dataset phase Failed) and logged there.
      this.refresh(ns.dataset).catch(() => undefined);
    }
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

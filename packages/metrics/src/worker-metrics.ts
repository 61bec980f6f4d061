// The metrics of a worker: block reads it served (hit from a tier, or miss read through), whole
// blocks it fetched from the bucket and why, its bucket requests and errors, its tiers' usage,
// capacity and block counts, evictions, and when its last heartbeat got through.
import { Counter, Gauge, type Registry } from 'prom-client';
import { DatasetLabels } from './dataset-labels.js';
import { errorCodeLabel, tierLabels } from './enum-labels.js';

/** Why a worker read a block from the bucket: a reader missed, a local client asked, a DataLoad. */
export type FetchReason = 'read_through' | 'fetch' | 'load';
export type EvictionAction = 'demote' | 'drop';

/** A tier as the worker's block store describes it (level = index, fastest first). */
export interface TierUsage { medium: string; quotaBytes: number; usedBytes: number; blocks: number }

export class WorkerMetrics {
  readonly #datasets: DatasetLabels;
  readonly #blockReads: Counter<'dataset' | 'result'>;
  readonly #servedBytes: Counter<'dataset' | 'source'>;
  readonly #fetches: Counter<'dataset' | 'reason' | 'result'>;
  readonly #ufsBytes: Counter<'dataset'>;
  readonly #ufsRequests: Counter<'dataset'>;
  readonly #ufsErrors: Counter<'dataset' | 'code'>;
  readonly #evictions: Counter<'dataset' | 'tier' | 'medium' | 'action'>;
  readonly #heartbeat: Gauge<'dataset'>;
  /** Each worker's tiers, by the runtime (dataset) it caches. Several in one process (`eddy up`) add up. */
  readonly #tierSources = new Set<{ runtime: string; tiers: () => TierUsage[] }>();

  constructor(registry: Registry, datasets = new DatasetLabels()) {
    this.#datasets = datasets;
    const registers = [registry];
    this.#blockReads = new Counter({
      name: 'eddy_worker_block_reads_total', help: 'Block reads served on the data channel: hit (from a tier) or miss (read through)',
      labelNames: ['dataset', 'result'], registers,
    });
    this.#servedBytes = new Counter({
      name: 'eddy_worker_served_bytes_total', help: 'Bytes sent to clients on the data channel, by source (cache or ufs)',
      labelNames: ['dataset', 'source'], registers,
    });
    this.#fetches = new Counter({
      name: 'eddy_worker_block_fetches_total', help: 'Whole blocks fetched from the bucket, by reason (read_through, fetch, load) and result',
      labelNames: ['dataset', 'reason', 'result'], registers,
    });
    this.#ufsBytes = new Counter({
      name: 'eddy_worker_ufs_read_bytes_total', help: 'Bytes the worker read from the bucket', labelNames: ['dataset'], registers,
    });
    this.#ufsRequests = new Counter({
      name: 'eddy_worker_ufs_requests_total', help: 'Requests the worker sent to the bucket', labelNames: ['dataset'], registers,
    });
    this.#ufsErrors = new Counter({
      name: 'eddy_worker_ufs_errors_total', help: 'Failed bucket requests, by error code', labelNames: ['dataset', 'code'], registers,
    });
    this.#evictions = new Counter({
      name: 'eddy_worker_evictions_total', help: 'Blocks evicted from a tier: demoted to the next tier or dropped',
      labelNames: ['dataset', 'tier', 'medium', 'action'], registers,
    });
    this.#heartbeat = new Gauge({
      name: 'eddy_worker_last_heartbeat_timestamp_seconds', help: 'Unix time of the last heartbeat the master answered',
      labelNames: ['dataset'], registers,
    });
    // Tier gauges are read from the stores at scrape time rather than pushed on every write.
    const sources = this.#tierSources;
    const tierGauge = (name: string, help: string, pick: (t: TierUsage) => number): void => {
      new Gauge({
        name, help, labelNames: ['dataset', 'tier', 'medium'], registers,
        collect(this: Gauge<'dataset' | 'tier' | 'medium'>) {
          this.reset();
          for (const src of sources) {
            src.tiers().forEach((t, i) => this.inc({ dataset: src.runtime, ...tierLabels(i, t.medium) }, pick(t)));
          }
        },
      });
    };
    tierGauge('eddy_worker_tier_used_bytes', 'Bytes of blocks held in a tier', (t) => t.usedBytes);
    tierGauge('eddy_worker_tier_capacity_bytes', 'Quota of a tier', (t) => t.quotaBytes);
    tierGauge('eddy_worker_tier_blocks', 'Blocks held in a tier', (t) => t.blocks);
  }

  /** Adds a worker's block store to the tier gauges (fastest tier first); the result removes it again. */
  addTierSource(runtime: string, tiers: () => TierUsage[]): () => void {
    const src = { runtime: this.#datasets.of(runtime), tiers };
    this.#tierSources.add(src);
    return () => { this.#tierSources.delete(src); };
  }

  /** One data-channel block read: `hit` when served from a tier, else read through from the bucket. */
  blockRead(dataset: string, hit: boolean, bytes: number): void {
    const d = this.#datasets.of(dataset);
    this.#blockReads.inc({ dataset: d, result: hit ? 'hit' : 'miss' });
    this.#servedBytes.inc({ dataset: d, source: hit ? 'cache' : 'ufs' }, bytes);
  }

  blockFetch(dataset: string, reason: FetchReason, ok: boolean): void {
    this.#fetches.inc({ dataset: this.#datasets.of(dataset), reason, result: ok ? 'ok' : 'failed' });
  }

  /** One bucket request that returned `bytes`. */
  ufsRead(dataset: string, bytes: number): void {
    const d = this.#datasets.of(dataset);
    this.#ufsRequests.inc({ dataset: d });
    this.#ufsBytes.inc({ dataset: d }, bytes);
  }

  ufsError(dataset: string, err: unknown): void {
    const d = this.#datasets.of(dataset);
    this.#ufsRequests.inc({ dataset: d });
    this.#ufsErrors.inc({ dataset: d, code: errorCodeLabel(err) });
  }

  evicted(runtime: string, level: number, medium: string, action: EvictionAction): void {
    this.#evictions.inc({ dataset: this.#datasets.of(runtime), ...tierLabels(level, medium), action });
  }

  heartbeatAnswered(runtime: string, atMs = Date.now()): void {
    this.#heartbeat.set({ dataset: this.#datasets.of(runtime) }, atMs / 1000);
  }
}

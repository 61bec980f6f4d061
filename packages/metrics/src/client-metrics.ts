// The metrics of a FUSE mount (`eddy mount`, or the mount inside `eddy up`): bytes the read path
// delivered by where they came from, FUSE operations and their latency, FETCHes asked of a local
// worker, and the client's own bucket reads. Every byte a read returns is counted once, under the
// source that had it: `local` = a short-circuit read of a block already in a tier on this host,
// `remote` = a worker that served it from a tier, `ufs` = bytes that had to come from the bucket
// (read directly, read through by a worker, or fetched by a local worker for this read).
import { Counter, Histogram, type Registry } from 'prom-client';
import { DatasetLabels } from './dataset-labels.js';
import { errorCodeLabel, fuseOpLabel } from './enum-labels.js';
import { PendingCounts } from './pending-counts.js';

export type ReadSource = 'local' | 'remote' | 'ufs';
export const READ_SOURCES: readonly ReadSource[] = ['local', 'remote', 'ufs'];

/** Cumulative bytes by source of one dataset, as reported to the master. */
export interface ReadBytesBySource { local: number; remote: number; ufs: number }

/** FUSE latencies span a page-cache-speed getattr (~50 µs) to a cold block behind a slow bucket (s). */
export const FUSE_LATENCY_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

export class ClientMetrics {
  readonly #datasets: DatasetLabels;
  readonly #readBytes: Counter<'dataset' | 'source'>;
  readonly #reads: Counter<'dataset' | 'source'>;
  readonly #fuseOps: Counter<'dataset' | 'op' | 'result'>;
  readonly #fuseSeconds: Histogram<'dataset' | 'op'>;
  readonly #fetches: Counter<'dataset' | 'result'>;
  readonly #workerFailures: Counter<'dataset'>;
  readonly #ufsRequests: Counter<'dataset'>;
  readonly #ufsErrors: Counter<'dataset' | 'code'>;
  /** Plain totals alongside the counters: what the mount reports to the master. */
  readonly #totals = new Map<string, ReadBytesBySource>();
  /** The hot counters' increments, added at collection (pending-counts.ts). */
  readonly #pendingBytes: PendingCounts<'dataset' | 'source'>;
  readonly #pendingReads: PendingCounts<'dataset' | 'source'>;
  readonly #pendingOps: PendingCounts<'dataset' | 'op' | 'result'>;

  constructor(registry: Registry, datasets = new DatasetLabels()) {
    this.#datasets = datasets;
    const registers = [registry];
    this.#readBytes = new Counter({
      name: 'eddy_client_read_bytes_total', help: 'Bytes delivered by the read path, by source (local short-circuit, remote worker, UFS)',
      labelNames: ['dataset', 'source'], registers, collect: () => this.#pendingBytes.flush(),
    });
    this.#reads = new Counter({
      name: 'eddy_client_reads_total', help: 'Block reads by source; local and remote are cache hits, ufs are misses',
      labelNames: ['dataset', 'source'], registers, collect: () => this.#pendingReads.flush(),
    });
    this.#fuseOps = new Counter({
      name: 'eddy_fuse_operations_total', help: 'FUSE operations answered, by operation and result (ok or error)',
      labelNames: ['dataset', 'op', 'result'], registers, collect: () => this.#pendingOps.flush(),
    });
    this.#fuseSeconds = new Histogram({
      name: 'eddy_fuse_operation_duration_seconds', help: 'Time to answer a FUSE operation', labelNames: ['dataset', 'op'],
      buckets: FUSE_LATENCY_BUCKETS, registers,
    });
    this.#pendingBytes = new PendingCounts(this.#readBytes);
    this.#pendingReads = new PendingCounts(this.#reads);
    this.#pendingOps = new PendingCounts(this.#fuseOps);
    this.#fetches = new Counter({
      name: 'eddy_client_block_fetches_total', help: 'Whole-block FETCHes asked of a worker on this host, by result',
      labelNames: ['dataset', 'result'], registers,
    });
    this.#workerFailures = new Counter({
      name: 'eddy_client_worker_failures_total', help: 'Worker reads that failed and were retried elsewhere', labelNames: ['dataset'], registers,
    });
    this.#ufsRequests = new Counter({
      name: 'eddy_client_ufs_requests_total', help: 'Ranged GETs the client sent to the bucket itself (fallback)', labelNames: ['dataset'], registers,
    });
    this.#ufsErrors = new Counter({
      name: 'eddy_client_ufs_errors_total', help: 'Failed client bucket reads, by error code', labelNames: ['dataset', 'code'], registers,
    });
  }

  /** One block read of `bytes` served by `source` (or `reads` of them, `bytes` in all). */
  read(dataset: string, source: ReadSource, bytes: number, reads = 1): void {
    const d = this.#datasets.of(dataset);
    const key = `${d}\0${source}`;
    const labels = (): { dataset: string; source: ReadSource } => ({ dataset: d, source });
    this.#pendingBytes.add(key, labels, bytes);
    this.#pendingReads.add(key, labels, reads);
    const t = this.#totals.get(d) ?? { local: 0, remote: 0, ufs: 0 };
    t[source] += bytes;
    this.#totals.set(d, t);
  }

  /** Starts timing a FUSE operation; call the result with whether it succeeded. */
  startFuseOp(dataset: string, op: string): (ok: boolean) => void {
    const start = process.hrtime.bigint();
    const d = this.#datasets.of(dataset);
    const o = fuseOpLabel(op);
    return (ok) => {
      this.#fuseSeconds.observe({ dataset: d, op: o }, Number(process.hrtime.bigint() - start) / 1e9);
      this.#countOps(d, o, ok ? 'ok' : 'error', 1);
    };
  }

  /**
   * `count` FUSE operations answered, and succeeded, outside the timed JS handlers (reads the
   * libfuse threads answered in C): counted, not timed, so the histogram covers JS answers only.
   */
  fuseOpsAnswered(dataset: string, op: string, count: number): void {
    this.#countOps(this.#datasets.of(dataset), fuseOpLabel(op), 'ok', count);
  }

  #countOps(dataset: string, op: string, result: 'ok' | 'error', count: number): void {
    this.#pendingOps.add(`${dataset}\0${op}\0${result}`, () => ({ dataset, op, result }), count);
  }

  blockFetch(dataset: string, ok: boolean): void {
    this.#fetches.inc({ dataset: this.#datasets.of(dataset), result: ok ? 'ok' : 'failed' });
  }

  workerFailure(dataset: string): void {
    this.#workerFailures.inc({ dataset: this.#datasets.of(dataset) });
  }

  ufsRequest(dataset: string): void {
    this.#ufsRequests.inc({ dataset: this.#datasets.of(dataset) });
  }

  ufsError(dataset: string, err: unknown): void {
    this.#ufsErrors.inc({ dataset: this.#datasets.of(dataset), code: errorCodeLabel(err) });
  }

  /** Cumulative bytes by source per dataset label since the process started (a copy). */
  readTotals(): Map<string, ReadBytesBySource> {
    return new Map([...this.#totals].map(([d, t]) => [d, { ...t }]));
  }
}

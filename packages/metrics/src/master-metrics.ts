// The metrics of the master: per dataset, what the cluster holds (UFS total, cached, capacity,
// files), its workers (live, lost, oldest heartbeat), the bytes its clients read by source (from
// their reports, so one scrape of the master gives the cluster's hit ratio), and DataLoads (runs,
// bytes, duration, progress, last success). Gauges are read from the master at scrape time.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { DatasetLabels } from './dataset-labels.js';
import { READ_SOURCES, type ReadBytesBySource } from './client-metrics.js';

export interface DatasetFacts {
  dataset: string;
  ufsBytes: number;
  cachedBytes: number;
  capacityBytes: number;
  files: number;
  liveWorkers: number;
  lostWorkers: number;
  /** Seconds since the least recent heartbeat among live workers (0 with none). */
  maxHeartbeatAgeSeconds: number;
  /** 1 while the dataset's eddy:// mount reads from its fallback (the bucket) because the upstream does not answer. */
  onFallback: number;
}

export interface DataLoadFacts {
  dataset: string;
  /** Runs executing now (0 or 1 per DataLoad). */
  running: number;
  /** Bytes done / to do of the runs executing now. */
  doneBytes: number;
  totalBytes: number;
}

/** What the master's gauges read at scrape time. */
export interface MasterMetricsSource {
  datasets(): DatasetFacts[];
  dataloads(): DataLoadFacts[];
}

export type DataLoadResult = 'complete' | 'failed';

/** A run takes seconds (all cached) to hours (a full model repository over a WAN). */
export const DATALOAD_DURATION_BUCKETS = [1, 5, 15, 60, 300, 900, 3600, 14_400];

export class MasterMetrics {
  readonly #datasets: DatasetLabels;
  readonly #readBytes: Counter<'dataset' | 'source'>;
  readonly #runs: Counter<'dataset' | 'result'>;
  readonly #loadBytes: Counter<'dataset'>;
  readonly #runSeconds: Histogram<'dataset'>;
  readonly #lastSuccess: Gauge<'dataset'>;
  #source: MasterMetricsSource = { datasets: () => [], dataloads: () => [] };

  constructor(registry: Registry, datasets = new DatasetLabels()) {
    this.#datasets = datasets;
    const registers = [registry];
    this.#readBytes = new Counter({
      name: 'eddy_master_read_bytes_total', help: 'Bytes clients read, by source (local, remote, ufs), as they reported them to the master',
      labelNames: ['dataset', 'source'], registers,
    });
    this.#runs = new Counter({
      name: 'eddy_dataload_runs_total', help: 'DataLoad runs finished, by result', labelNames: ['dataset', 'result'], registers,
    });
    this.#loadBytes = new Counter({
      name: 'eddy_dataload_bytes_total', help: 'Bytes DataLoads fetched from the bucket into workers', labelNames: ['dataset'], registers,
    });
    this.#runSeconds = new Histogram({
      name: 'eddy_dataload_run_duration_seconds', help: 'Duration of finished DataLoad runs', labelNames: ['dataset'],
      buckets: DATALOAD_DURATION_BUCKETS, registers,
    });
    this.#lastSuccess = new Gauge({
      name: 'eddy_dataload_last_success_timestamp_seconds', help: 'Unix time the last DataLoad run of the dataset completed',
      labelNames: ['dataset'], registers,
    });
    const labels = this.#datasets;
    const source = (): MasterMetricsSource => this.#source;
    const gauge = <T extends { dataset: string }>(name: string, help: string, rows: () => T[], pick: (r: T) => number): void => {
      new Gauge({
        name, help, labelNames: ['dataset'], registers,
        collect(this: Gauge<'dataset'>) {
          this.reset();
          // Datasets past the label bound share `_other`: their values add up.
          const sums = new Map<string, number>();
          for (const r of rows()) {
            const d = labels.of(r.dataset);
            sums.set(d, (sums.get(d) ?? 0) + pick(r));
          }
          for (const [dataset, v] of sums) this.set({ dataset }, v);
        },
      });
    };
    const ds = (): DatasetFacts[] => source().datasets();
    const dl = (): DataLoadFacts[] => source().dataloads();
    gauge('eddy_dataset_ufs_bytes', 'Bytes of the current version of every file in the dataset', ds, (r) => r.ufsBytes);
    gauge('eddy_dataset_cached_bytes', 'Bytes of current-version blocks held by at least one live worker', ds, (r) => r.cachedBytes);
    gauge('eddy_dataset_cache_capacity_bytes', 'Sum of the tier quotas of the runtime\'s live workers', ds, (r) => r.capacityBytes);
    gauge('eddy_dataset_files', 'Files in the dataset', ds, (r) => r.files);
    gauge('eddy_dataset_source_fallback', 'Whether the dataset\'s last listing came from the fallback (1) instead of its eddy:// upstream or bucket (0)',
      ds, (r) => r.onFallback);
    gauge('eddy_master_workers_live', 'Workers of the dataset\'s runtime that heartbeat in time', ds, (r) => r.liveWorkers);
    gauge('eddy_master_workers_lost', 'Workers of the dataset\'s runtime the master has lost', ds, (r) => r.lostWorkers);
    gauge('eddy_master_worker_heartbeat_age_max_seconds', 'Seconds since the oldest last heartbeat among live workers', ds,
      (r) => r.maxHeartbeatAgeSeconds);
    gauge('eddy_dataload_running', 'DataLoad runs executing now', dl, (r) => r.running);
    gauge('eddy_dataload_progress_done_bytes', 'Bytes done of the DataLoad runs executing now', dl, (r) => r.doneBytes);
    gauge('eddy_dataload_progress_total_bytes', 'Bytes to do of the DataLoad runs executing now', dl, (r) => r.totalBytes);
  }

  setSource(source: MasterMetricsSource): void {
    this.#source = source;
  }

  /** Bytes a client read since its previous report, by source. */
  clientReads(dataset: string, delta: ReadBytesBySource): void {
    const d = this.#datasets.of(dataset);
    for (const source of READ_SOURCES) if (delta[source] > 0) this.#readBytes.inc({ dataset: d, source }, delta[source]);
  }

  dataloadBytes(dataset: string, bytes: number): void {
    if (bytes > 0) this.#loadBytes.inc({ dataset: this.#datasets.of(dataset) }, bytes);
  }

  dataloadRunFinished(dataset: string, result: DataLoadResult, seconds: number, endMs = Date.now()): void {
    const d = this.#datasets.of(dataset);
    this.#runs.inc({ dataset: d, result });
    this.#runSeconds.observe({ dataset: d }, seconds);
    if (result === 'complete') this.#lastSuccess.set({ dataset: d }, endMs / 1000);
  }

  /** Drops the series of a deleted dataset and frees its label. */
  forgetDataset(dataset: string): void {
    const d = this.#datasets.of(dataset);
    if (d !== dataset) return;
    for (const source of READ_SOURCES) this.#readBytes.remove({ dataset, source });
    for (const result of ['complete', 'failed']) this.#runs.remove({ dataset, result });
    this.#loadBytes.remove({ dataset });
    this.#runSeconds.remove({ dataset });
    this.#lastSuccess.remove({ dataset });
    this.#datasets.forget(dataset);
  }
}

// Counts finished DataLoad runs for Prometheus (runs by result, bytes fetched, duration, last
// success) from the scheduler's status changes: a run is counted once, when its record gains an
// end time. The scheduler stays unaware of metrics.
import type { MasterMetrics } from '@eddy/metrics';
import type { DataLoadStatus } from '../dataload/dataload-status.js';

export class DataLoadRunMeter {
  readonly #metrics: MasterMetrics;
  /** DataLoad → end time of the last run counted. */
  readonly #counted = new Map<string, string>();

  constructor(metrics: MasterMetrics) {
    this.#metrics = metrics;
  }

  /** After a status change of DataLoad `name` (of `dataset`). */
  observe(name: string, dataset: string, status: DataLoadStatus | undefined): void {
    const run = status?.runs.at(-1);
    if (!run?.end || this.#counted.get(name) === run.end) return;
    this.#counted.set(name, run.end);
    const endMs = Date.parse(run.end);
    const seconds = Math.max(0, endMs - Date.parse(run.start)) / 1000;
    this.#metrics.dataloadBytes(dataset, run.bytes);
    this.#metrics.dataloadRunFinished(dataset, run.phase === 'Complete' ? 'complete' : 'failed', seconds, endMs);
  }

  forget(name: string): void {
    this.#counted.delete(name);
  }
}

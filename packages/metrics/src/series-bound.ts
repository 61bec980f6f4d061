// The stated bound on the number of `eddy_` series one process can export (Node's process_ and
// nodejs_ metrics are a fixed set from prom-client and not counted). Every label but `dataset` takes
// values from a fixed set (sources, results, FUSE ops, error codes, tier levels and media), and
// datasets are capped at MAX_DATASET_LABELS plus `_other`, so the bound holds whatever is read:
// 10,000 files or 10 million, any number of workers, any names. metric-definitions.test.ts touches
// every label value to check these numbers.
import { MAX_DATASET_LABELS } from './dataset-labels.js';

export type MetricsComponent = 'client' | 'worker' | 'master';

export const SERIES_BOUND: Readonly<Record<MetricsComponent, { perDataset: number; fixed: number }>> = {
  // 35 FUSE ops x (14 histogram series + 2 results), plus sources, fetches and error codes.
  client: { perDataset: 600, fixed: 0 },
  // Reads, fetches and bucket errors per dataset; tier gauges and evictions for up to 8 levels.
  worker: { perDataset: 30, fixed: 200 },
  master: { perDataset: 30, fixed: 0 },
};

/** Largest number of `eddy_` series a process of `component` exports when serving `datasets` datasets. */
export function seriesBound(component: MetricsComponent, datasets = MAX_DATASET_LABELS + 1): number {
  const b = SERIES_BOUND[component];
  return b.fixed + b.perDataset * Math.min(datasets, MAX_DATASET_LABELS + 1);
}

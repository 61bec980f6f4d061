// The read path's ReadMeter, backed by the mount's Prometheus metrics (@eddy/metrics ClientMetrics).
import type { ClientMetrics } from '@eddy/metrics';
import type { ReadMeter } from './read-path/sources.js';

export function clientReadMeter(metrics: ClientMetrics, dataset: string): ReadMeter {
  return {
    read: (source, bytes, reads) => metrics.read(dataset, source, bytes, reads),
    bucketRead: (err) => {
      metrics.ufsRequest(dataset);
      if (err !== undefined) metrics.ufsError(dataset, err);
    },
    fetch: (ok) => metrics.blockFetch(dataset, ok),
    workerFailed: () => metrics.workerFailure(dataset),
  };
}

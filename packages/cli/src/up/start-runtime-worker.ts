// Starts one worker of a Runtime for `eddy up`: in-process, loopback, free ports, its own tier
// directories (so several workers on one host never share block files).
import type { Logger } from '@eddy/core';
import type { TierLevel } from '@eddy/manifest';
import type { ProcessMetrics } from '@eddy/metrics';
import { startWorker, type WorkerHandle } from '@eddy/worker';

export interface RuntimeWorkerOptions {
  masterAddress: string;
  token: string;
  runtime: string;
  workerId: string;
  tiers: TierLevel[];
  logger: Logger;
  /** Stops the worker, also while it registers. */
  signal: AbortSignal;
  /** The only directories file:// mounts may lie under (those of the manifests `eddy up` was given). */
  fileRoots: string[];
  /** The process's metrics, shared with the master and the mount. */
  metrics: ProcessMetrics;
}

export type RuntimeWorker = WorkerHandle;

export async function startRuntimeWorker(options: RuntimeWorkerOptions): Promise<RuntimeWorker> {
  return await startWorker({
    masterAddress: options.masterAddress,
    runtime: options.runtime,
    workerId: options.workerId,
    listen: '127.0.0.1:0',
    token: options.token,
    logger: options.logger,
    signal: options.signal,
    ufsAllow: { fileRoots: options.fileRoots },
    metrics: options.metrics,
    tiers: options.tiers.map((t) => ({ medium: t.mediumtype, path: t.path, quotaBytes: t.quota, high: t.high, low: t.low })),
  });
}

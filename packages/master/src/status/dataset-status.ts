// A dataset's status, computed from facts the master holds (never guessed): the namespace
// listing, the placement map, live workers' tier quotas, and the bytes clients reported reading
// by source (dataset-read-stats.ts). Exact numbers sit alongside Fluid-style strings
// (`588.90KiB`, `100.0%`) so tools can print or compute.
import { formatBytes, formatPercent } from '@eddy/core';
import type { DatasetStatusView } from '@eddy/protocol';
import type { ReadRatios } from './dataset-read-stats.js';

export type DatasetPhase = 'Bound' | 'NotBound' | 'Failed';

export interface DatasetStatusFacts {
  /** Name of the bound Runtime, if one with the dataset's name exists. */
  runtime: string | undefined;
  ufsTotalBytes: number;
  fileNum: number;
  /** Unique bytes of current-version blocks held by at least one live worker. */
  cachedBytes: number;
  /** Sum of tier quotas of the runtime's live workers. */
  cacheCapacityBytes: number;
  /** Bytes read by source over the stated windows (every client, every read path). */
  reads: ReadRatios;
  liveWorkers: number;
  desiredWorkers: number;
  /** Why the mounts cannot be listed (never carries a secret). */
  failure: string | undefined;
  loaded: boolean;
  lastRefreshMs: number;
  /** Where the last listing came from (bucket, or an eddy:// mount's upstream or fallback). */
  source: 'bucket' | 'upstream' | 'fallback';
}

/** The status Get and the operator show; its fields and wire mapping live in @eddy/protocol. */
export interface DatasetStatus extends DatasetStatusView {
  phase: DatasetPhase;
  source: 'bucket' | 'upstream' | 'fallback';
}

export function computeDatasetStatus(f: DatasetStatusFacts): DatasetStatus {
  const phase: DatasetPhase = f.failure ? 'Failed' : f.runtime && f.liveWorkers > 0 ? 'Bound' : 'NotBound';
  // Only current-version blocks are counted, so cached ≤ total holds by construction; the clamp
  // guards against a listing that shrank between the two reads.
  const cachedBytes = Math.min(f.cachedBytes, f.ufsTotalBytes);
  const ratio = f.ufsTotalBytes > 0 ? cachedBytes / f.ufsTotalBytes : 0;
  const r = f.reads;
  const cached = formatBytes(cachedBytes);
  const cacheCapacity = formatBytes(f.cacheCapacityBytes);
  const cachedPercentage = formatPercent(cachedBytes, f.ufsTotalBytes);
  return {
    phase,
    ...(f.failure ? { reason: f.failure } : {}),
    runtime: f.runtime ?? null,
    ufsTotalBytes: f.ufsTotalBytes,
    fileNum: f.fileNum,
    ufsTotal: formatBytes(f.ufsTotalBytes),
    cached,
    cacheCapacity,
    cachedPercentage,
    cacheStates: {
      cachedBytes,
      cacheCapacityBytes: f.cacheCapacityBytes,
      cachedRatio: ratio,
      cached,
      cacheCapacity,
      cachedPercentage,
      cacheHitRatio: r.cacheHitRatio ?? 0,
      cacheHitRatioPercentage: formatPercent(r.cacheHitRatio ?? 0, 1),
      localHitRatio: r.localHitRatio ?? 0,
      remoteHitRatio: r.remoteHitRatio ?? 0,
      cacheThroughputRatio: r.cacheThroughputRatio ?? 0,
      localThroughputRatio: r.localThroughputRatio ?? 0,
      remoteThroughputRatio: r.remoteThroughputRatio ?? 0,
      hitRatioWindowSeconds: r.hitRatioWindowSeconds,
      throughputWindowSeconds: r.throughputWindowSeconds,
      bytesReadLocal: r.totals.local,
      bytesReadRemote: r.totals.remote,
      bytesReadUfs: r.totals.ufs,
    },
    workers: { live: f.liveWorkers, desired: f.desiredWorkers },
    lastRefreshTime: f.loaded ? new Date(f.lastRefreshMs).toISOString() : null,
    source: f.source,
  };
}

// The statuses the master computes, in their Fluid-shaped form (exact numbers beside Fluid's strings,
// times as RFC 3339 text), and their typed wire form in the Get RPC: one definition of the fields and
// both directions of the mapping, so the master (view -> wire) and the CLI (wire -> view, what
// `eddy get -o json|yaml` and `eddy describe` print) cannot drift apart. fromWire(toWire(v)) is v.
// Enum-like fields are plain strings here (the wire carries strings); the master narrows them.
import type * as proto from '../gen/eddy/v1/index-types.js';

/** A dataset's status (see @eddy/master's computeDatasetStatus for how each number is made). */
export interface DatasetStatusView {
  phase: string;
  /** Why the mounts cannot be listed (never carries a secret). */
  reason?: string;
  runtime: string | null;
  ufsTotalBytes: number;
  fileNum: number;
  ufsTotal: string;
  cached: string;
  cacheCapacity: string;
  cachedPercentage: string;
  cacheStates: {
    cachedBytes: number;
    cacheCapacityBytes: number;
    /** cached / ufsTotal in [0, 1]; 0 when the dataset is empty. */
    cachedRatio: number;
    cached: string;
    cacheCapacity: string;
    cachedPercentage: string;
    /**
     * Fluid's ratios in [0, 1] from the bytes clients read: cache = (local + remote) / all, over
     * the last hitRatioWindowSeconds; the throughput ratios over the last throughputWindowSeconds.
     * 0 when nothing was read in the window.
     */
    cacheHitRatio: number;
    cacheHitRatioPercentage: string;
    localHitRatio: number;
    remoteHitRatio: number;
    cacheThroughputRatio: number;
    localThroughputRatio: number;
    remoteThroughputRatio: number;
    hitRatioWindowSeconds: number;
    throughputWindowSeconds: number;
    /** Bytes clients reported since the master started, by source. */
    bytesReadLocal: number;
    bytesReadRemote: number;
    bytesReadUfs: number;
  };
  workers: { live: number; desired: number };
  /** ISO time of the last successful listing, or null before the first. */
  lastRefreshTime: string | null;
  /** Where the last listing came from: `bucket`, or an eddy:// mount's `upstream` or `fallback`. */
  source: string;
}

export interface DataLoadConditionView {
  type: string;
  status: string;
  /** CamelCase reason, e.g. `DataLoadComplete`, `NotEnoughWorkers`, `ObjectsFailed`. */
  reason: string;
  message: string;
  /** ISO time the condition was last evaluated (end of the latest run). */
  lastProbeTime: string;
  /** ISO time the condition last changed type (e.g. Failed → Complete). */
  lastTransitionTime: string;
}

export interface DataLoadProgressView {
  /** Files whose every block reached its replica count in this run. */
  filesDone: number;
  filesTotal: number;
  /** Bytes of blocks that reached their replica count (counted once per block). */
  bytesDone: number;
  /** Sum of the current sizes of the target files. */
  bytesTotal: number;
  /** Bytes the workers actually read from the UFS in this run (0 for a no-change delta run). */
  bytesFetched: number;
}

export interface DataLoadFailedFileView {
  path: string;
  message: string;
}

export interface DataLoadRunView {
  /** ISO start time. */
  start: string;
  /** ISO end time; absent while executing. */
  end?: string;
  phase: string;
  /** Bytes fetched from the UFS. */
  bytes: number;
  /** Ticks skipped because this run was still executing. */
  skippedTicks: number;
  /** Failure reason, if any. */
  message?: string;
}

export interface DataLoadStatusView {
  phase: string;
  /** Duration of the latest run, e.g. `2m12s` (elapsed so far while executing; '' before any run). */
  duration: string;
  durationMs: number;
  conditions: DataLoadConditionView[];
  /** ISO time the latest run was started (by a tick, or on apply for Once). */
  lastScheduleTime?: string;
  /** ISO time the latest run that ended Complete ended. */
  lastSuccessfulTime?: string;
  progress: DataLoadProgressView;
  /** Objects of the latest run that could not be loaded, with why. */
  failedFiles: DataLoadFailedFileView[];
  /** The last 10 runs, oldest first. */
  runs: DataLoadRunView[];
  /** Total ticks skipped because a run was still executing (no overlap). */
  skippedTicks: number;
}

/** ISO time → Unix ms, the wire's form; 0 for none. */
function isoToMs(iso: string | null | undefined): number {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? t : 0;
}

/** Unix ms → ISO time. */
function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function datasetStatusToWire(st: DatasetStatusView): proto.DatasetStatus {
  const { workers, cacheStates, lastRefreshTime, reason, runtime, ...top } = st;
  return { ...top, ...cacheStates, reason: reason ?? '', runtime: runtime ?? '', liveWorkers: workers.live, desiredWorkers: workers.desired,
    lastRefreshTimeMs: isoToMs(lastRefreshTime) };
}

export function datasetStatusFromWire(s: proto.DatasetStatus__Output): DatasetStatusView {
  return {
    phase: s.phase,
    ...(s.reason ? { reason: s.reason } : {}),
    runtime: s.runtime || null,
    ufsTotalBytes: s.ufsTotalBytes,
    fileNum: s.fileNum,
    ufsTotal: s.ufsTotal,
    cached: s.cached,
    cacheCapacity: s.cacheCapacity,
    cachedPercentage: s.cachedPercentage,
    cacheStates: {
      cachedBytes: s.cachedBytes, cacheCapacityBytes: s.cacheCapacityBytes, cachedRatio: s.cachedRatio,
      cached: s.cached, cacheCapacity: s.cacheCapacity, cachedPercentage: s.cachedPercentage,
      cacheHitRatio: s.cacheHitRatio, cacheHitRatioPercentage: s.cacheHitRatioPercentage,
      localHitRatio: s.localHitRatio, remoteHitRatio: s.remoteHitRatio,
      cacheThroughputRatio: s.cacheThroughputRatio, localThroughputRatio: s.localThroughputRatio, remoteThroughputRatio: s.remoteThroughputRatio,
      hitRatioWindowSeconds: s.hitRatioWindowSeconds, throughputWindowSeconds: s.throughputWindowSeconds,
      bytesReadLocal: s.bytesReadLocal, bytesReadRemote: s.bytesReadRemote, bytesReadUfs: s.bytesReadUfs,
    },
    workers: { live: s.liveWorkers, desired: s.desiredWorkers },
    lastRefreshTime: s.lastRefreshTimeMs > 0 ? iso(s.lastRefreshTimeMs) : null,
    // A master from before eddy:// mounts sends none: its datasets read their buckets.
    source: s.source || 'bucket',
  };
}

export function dataLoadStatusToWire(st: DataLoadStatusView): proto.DataLoadStatus {
  const { conditions, runs, lastScheduleTime, lastSuccessfulTime, progress, failedFiles, ...rest } = st;
  return {
    ...rest,
    conditions: conditions.map(({ lastProbeTime, lastTransitionTime, ...c }) => ({
      ...c, lastProbeTimeMs: isoToMs(lastProbeTime), lastTransitionTimeMs: isoToMs(lastTransitionTime),
    })),
    lastScheduleTimeMs: isoToMs(lastScheduleTime),
    lastSuccessfulTimeMs: isoToMs(lastSuccessfulTime),
    progress: { ...progress },
    failedFiles: failedFiles.map((f) => ({ ...f })),
    runs: runs.map(({ start, end, message, ...r }) => ({ ...r, startMs: isoToMs(start), endMs: isoToMs(end), message: message ?? '' })),
  };
}

export function dataLoadStatusFromWire(s: proto.DataLoadStatus__Output): DataLoadStatusView {
  const p = s.progress;
  return {
    phase: s.phase,
    duration: s.duration,
    durationMs: s.durationMs,
    conditions: s.conditions.map(({ lastProbeTimeMs, lastTransitionTimeMs, ...c }) => ({
      ...c, lastProbeTime: iso(lastProbeTimeMs), lastTransitionTime: iso(lastTransitionTimeMs),
    })),
    progress: {
      filesDone: p?.filesDone ?? 0, filesTotal: p?.filesTotal ?? 0, bytesDone: p?.bytesDone ?? 0,
      bytesTotal: p?.bytesTotal ?? 0, bytesFetched: p?.bytesFetched ?? 0,
    },
    failedFiles: s.failedFiles.map((f) => ({ ...f })),
    runs: s.runs.map(({ startMs, endMs, message, ...r }) => ({
      // Times unset on the wire (0) are left out of the view, as the master leaves them out.
      start: iso(startMs), ...r, ...(endMs > 0 ? { end: iso(endMs) } : {}), ...(message ? { message } : {}),
    })),
    skippedTicks: s.skippedTicks,
    ...(s.lastScheduleTimeMs > 0 ? { lastScheduleTime: iso(s.lastScheduleTimeMs) } : {}),
    ...(s.lastSuccessfulTimeMs > 0 ? { lastSuccessfulTime: iso(s.lastSuccessfulTimeMs) } : {}),
  };
}

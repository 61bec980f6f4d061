// The Fluid-shaped object of a typed Resource, for `-o json|yaml` and `eddy describe`: the
// manifest as the master normalised it (apiVersion, kind, metadata, spec) plus its status, with
// exact byte counts beside Fluid's formatted strings and times as RFC 3339 text.
import type { proto } from '@eddy/protocol/rpc';

type Json = Record<string, unknown>;

/** Unix ms → RFC 3339 (the master stores millisecond times). */
function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Times that may be unset (0) are left out, as the master leaves them out of its status. */
function optionalTime(key: string, ms: number): Json {
  return ms > 0 ? { [key]: iso(ms) } : {};
}

function metadataOf(m: proto.ObjectMeta__Output | null): Json {
  return {
    name: m?.name ?? '',
    namespace: m?.namespace ?? '',
    labels: { ...m?.labels },
    annotations: { ...m?.annotations },
    creationTimestamp: iso(m?.creationTimeMs ?? 0),
  };
}

function datasetStatus(s: proto.DatasetStatus__Output): Json {
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
      cachedBytes: s.cachedBytes,
      cacheCapacityBytes: s.cacheCapacityBytes,
      cachedRatio: s.cachedRatio,
      cached: s.cached,
      cacheCapacity: s.cacheCapacity,
      cachedPercentage: s.cachedPercentage,
      cacheHitRatio: s.cacheHitRatio,
      cacheHitRatioPercentage: s.cacheHitRatioPercentage,
      localHitRatio: s.localHitRatio,
      remoteHitRatio: s.remoteHitRatio,
      cacheThroughputRatio: s.cacheThroughputRatio,
      localThroughputRatio: s.localThroughputRatio,
      remoteThroughputRatio: s.remoteThroughputRatio,
      hitRatioWindowSeconds: s.hitRatioWindowSeconds,
      throughputWindowSeconds: s.throughputWindowSeconds,
      bytesReadLocal: s.bytesReadLocal,
      bytesReadRemote: s.bytesReadRemote,
      bytesReadUfs: s.bytesReadUfs,
    },
    workers: { live: s.liveWorkers, desired: s.desiredWorkers },
    lastRefreshTime: s.lastRefreshTimeMs > 0 ? iso(s.lastRefreshTimeMs) : null,
  };
}

function datasetParts(d: proto.DatasetResource__Output): Json {
  return {
    spec: {
      mounts: d.mounts.map((m) => ({
        mountPoint: m.mountPoint,
        name: m.name,
        path: m.path,
        options: { ...m.options },
        encryptOptions: m.encryptOptions.map((e) => ({
          name: e.name, valueFrom: { secretKeyRef: { name: e.secretName, key: e.secretKey } },
        })),
      })),
      accessModes: [...d.accessModes],
      accessMode: d.accessMode,
    },
    status: d.status ? datasetStatus(d.status) : null,
  };
}

function runtimeParts(r: proto.RuntimeResource__Output): Json {
  return {
    spec: {
      replicas: r.replicas,
      tieredstore: { levels: r.tiers.map((t) => ({ mediumtype: t.medium, path: t.path, quota: t.quotaBytes, high: t.high, low: t.low })) },
      fuse: { args: [...r.fuseArgs] },
      blockSize: r.blockSize,
    },
    status: r.status
      ? {
          desiredWorkers: r.status.desiredWorkers, liveWorkers: r.status.liveWorkers, workers: [...r.status.workers],
          cacheCapacityBytes: r.status.cacheCapacityBytes,
        }
      : null,
  };
}

function dataLoadStatus(s: proto.DataLoadStatus__Output): Json {
  return {
    phase: s.phase,
    duration: s.duration,
    durationMs: s.durationMs,
    conditions: s.conditions.map((c) => ({
      type: c.type, status: c.status, reason: c.reason, message: c.message,
      lastProbeTime: iso(c.lastProbeTimeMs), lastTransitionTime: iso(c.lastTransitionTimeMs),
    })),
    progress: {
      filesDone: s.progress?.filesDone ?? 0,
      filesTotal: s.progress?.filesTotal ?? 0,
      bytesDone: s.progress?.bytesDone ?? 0,
      bytesTotal: s.progress?.bytesTotal ?? 0,
      bytesFetched: s.progress?.bytesFetched ?? 0,
    },
    failedFiles: s.failedFiles.map((f) => ({ path: f.path, message: f.message })),
    runs: s.runs.map((r) => ({
      start: iso(r.startMs), phase: r.phase, bytes: r.bytes, skippedTicks: r.skippedTicks,
      ...optionalTime('end', r.endMs), ...(r.message ? { message: r.message } : {}),
    })),
    skippedTicks: s.skippedTicks,
    ...optionalTime('lastScheduleTime', s.lastScheduleTimeMs),
    ...optionalTime('lastSuccessfulTime', s.lastSuccessfulTimeMs),
  };
}

function dataLoadParts(l: proto.DataLoadResource__Output): Json {
  return {
    spec: {
      dataset: { name: l.dataset, namespace: l.datasetNamespace },
      policy: l.policy,
      loadMetadata: l.loadMetadata,
      target: l.target.map((t) => ({ path: t.path, replicas: t.replicas })),
      ...(l.schedule ? { schedule: l.schedule } : {}),
      ...(l.ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished: l.ttlSecondsAfterFinished } : {}),
    },
    status: l.status ? dataLoadStatus(l.status) : null,
  };
}

function kindParts(r: proto.Resource__Output): Json {
  if (r.dataset) return datasetParts(r.dataset);
  if (r.runtime) return runtimeParts(r.runtime);
  if (r.dataload) return dataLoadParts(r.dataload);
  if (r.secret) return { type: r.secret.type, keys: [...r.secret.keys] };
  return {};
}

/** The object `eddy get -o json|yaml` prints for one Resource (never a secret value: none reaches Get). */
export function resourceObject(r: proto.Resource__Output): Json {
  return { apiVersion: r.apiVersion, kind: r.kind, metadata: metadataOf(r.metadata), ...kindParts(r) };
}

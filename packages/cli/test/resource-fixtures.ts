// Typed Resources as the master's Get returns them, with every field set (as the gRPC decoder
// sets defaults), for the output and main tests.
import type { proto } from '@eddy/protocol/rpc';

export function objectMeta(name: string, creationTimeMs: number): proto.ObjectMeta__Output {
  return { name, namespace: 'default', labels: {}, annotations: {}, creationTimeMs };
}

export function datasetStatus(overrides: Partial<proto.DatasetStatus__Output> = {}): proto.DatasetStatus__Output {
  return {
    phase: 'Bound', reason: '', runtime: 'demo', ufsTotalBytes: 0, fileNum: 0,
    ufsTotal: '0.00B', cached: '0.00B', cacheCapacity: '0.00B', cachedPercentage: '0.0%',
    cachedBytes: 0, cacheCapacityBytes: 0, cachedRatio: 0, cacheHitRatio: 0, cacheHitRatioPercentage: '0.0%',
    liveWorkers: 1, desiredWorkers: 1, lastRefreshTimeMs: 0,
    localHitRatio: 0, remoteHitRatio: 0, cacheThroughputRatio: 0, localThroughputRatio: 0, remoteThroughputRatio: 0,
    hitRatioWindowSeconds: 60, throughputWindowSeconds: 10, bytesReadLocal: 0, bytesReadRemote: 0, bytesReadUfs: 0, source: 'bucket',
    ...overrides,
  };
}

export function datasetResource(name: string, creationTimeMs: number, status: proto.DatasetStatus__Output | null): proto.Resource__Output {
  return {
    apiVersion: 'data.fluid.io/v1alpha1', kind: 'Dataset', metadata: objectMeta(name, creationTimeMs), object: 'dataset',
    dataset: {
      mounts: [{ mountPoint: 's3://b/', name, path: '/', options: {}, encryptOptions: [] }],
      accessModes: ['ReadOnlyMany'], accessMode: 'ReadOnlyMany', status,
    },
  };
}

export function dataLoadStatus(overrides: Partial<proto.DataLoadStatus__Output> = {}): proto.DataLoadStatus__Output {
  return {
    phase: 'Pending', duration: '', durationMs: 0, conditions: [], lastScheduleTimeMs: 0, lastSuccessfulTimeMs: 0,
    progress: { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, bytesFetched: 0 },
    failedFiles: [], runs: [], skippedTicks: 0,
    ...overrides,
  };
}

export function dataLoadResource(
  name: string, creationTimeMs: number,
  spec: { dataset: string; policy: 'Once' | 'Cron'; schedule?: string }, status: proto.DataLoadStatus__Output | null,
): proto.Resource__Output {
  return {
    apiVersion: 'data.fluid.io/v1alpha1', kind: 'DataLoad', metadata: objectMeta(name, creationTimeMs), object: 'dataload',
    dataload: {
      dataset: spec.dataset, datasetNamespace: 'default', policy: spec.policy, schedule: spec.schedule ?? '', loadMetadata: false,
      target: [{ path: '/', replicas: 1 }], status,
    },
  };
}

export function condition(type: string, timeMs: number, overrides: Partial<proto.Condition__Output> = {}): proto.Condition__Output {
  return { type, status: 'True', reason: '', message: '', lastProbeTimeMs: timeMs, lastTransitionTimeMs: timeMs, ...overrides };
}

// The status views' two directions are one mapping: what the master sends is what the CLI prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dataLoadStatusFromWire, dataLoadStatusToWire, datasetStatusFromWire, datasetStatusToWire,
  type DataLoadStatusView, type DatasetStatusView,
} from '../src/rpc/status-views.js';
import type { DataLoadStatus__Output, DatasetStatus__Output } from '../src/gen/eddy/v1/index-types.js';

const T0 = '2026-12-01T06:00:00.000Z';
const T1 = '2026-12-01T06:02:12.000Z';

const dataset: DatasetStatusView = {
  phase: 'Bound', reason: 'listing failed once', runtime: 'demo', ufsTotalBytes: 603_030, fileNum: 3, ufsTotal: '588.90KiB',
  cached: '294.45KiB', cacheCapacity: '2.00GiB', cachedPercentage: '50.0%',
  cacheStates: {
    cachedBytes: 301_515, cacheCapacityBytes: 2 * 2 ** 30, cachedRatio: 0.5, cached: '294.45KiB', cacheCapacity: '2.00GiB',
    cachedPercentage: '50.0%', cacheHitRatio: 0.8, cacheHitRatioPercentage: '80.0%', localHitRatio: 0.6, remoteHitRatio: 0.2,
    cacheThroughputRatio: 1, localThroughputRatio: 0.25, remoteThroughputRatio: 0.75, hitRatioWindowSeconds: 60,
    throughputWindowSeconds: 10, bytesReadLocal: 600, bytesReadRemote: 200, bytesReadUfs: 200,
  },
  workers: { live: 1, desired: 2 },
  lastRefreshTime: T0,
  source: 'fallback',
};

const dataLoad: DataLoadStatusView = {
  phase: 'Complete', duration: '2m12s', durationMs: 132_000,
  conditions: [{ type: 'Complete', status: 'True', reason: 'DataLoadComplete', message: 'done', lastProbeTime: T1, lastTransitionTime: T0 }],
  progress: { filesDone: 3, filesTotal: 3, bytesDone: 603_030, bytesTotal: 603_030, bytesFetched: 603_030 },
  failedFiles: [{ path: '/x', message: 'gone' }],
  runs: [{ start: T0, phase: 'Failed', bytes: 0, skippedTicks: 1, end: T0, message: 'no workers' }, { start: T0, phase: 'Complete', bytes: 1, skippedTicks: 0, end: T1 }],
  skippedTicks: 1,
  lastScheduleTime: T0,
  lastSuccessfulTime: T1,
};

// What the gRPC decoder hands a client: every field set (defaults: true), numbers for 64-bit fields.
function decoded<T>(wire: unknown): T {
  return JSON.parse(JSON.stringify(wire)) as T;
}

test('a dataset status survives the wire unchanged', () => {
  const wire = decoded<DatasetStatus__Output>(datasetStatusToWire(dataset));
  assert.equal(wire.lastRefreshTimeMs, Date.parse(T0));
  assert.equal(wire.liveWorkers, 1);
  assert.deepEqual(datasetStatusFromWire(wire), dataset);
  // Unset on the wire: no reason, runtime null, never refreshed.
  const bare = datasetStatusFromWire({ ...wire, reason: '', runtime: '', lastRefreshTimeMs: 0, source: '' });
  assert.equal('reason' in bare, false);
  assert.deepEqual([bare.runtime, bare.lastRefreshTime, bare.source], [null, null, 'bucket'], 'a master without eddy:// mounts: bucket');
});

test('a DataLoad status survives the wire unchanged, unset times left out', () => {
  const wire = decoded<DataLoadStatus__Output>(dataLoadStatusToWire(dataLoad));
  assert.deepEqual([wire.runs[1]!.startMs, wire.runs[1]!.endMs, wire.runs[1]!.message], [Date.parse(T0), Date.parse(T1), '']);
  assert.deepEqual(dataLoadStatusFromWire(wire), dataLoad);
  const pending = dataLoadStatusFromWire({ ...wire, lastScheduleTimeMs: 0, lastSuccessfulTimeMs: 0, runs: [{ ...wire.runs[0]!, endMs: 0, message: '' }] });
  assert.equal('lastScheduleTime' in pending || 'lastSuccessfulTime' in pending, false);
  assert.deepEqual(pending.runs[0], { start: T0, phase: 'Failed', bytes: 0, skippedTicks: 1 });
});

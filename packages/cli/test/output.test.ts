import { test } from 'node:test';
import assert from 'node:assert/strict';
import { datasetTable, dataLoadTable, runtimeTable, workerTable } from '../src/output/resource-tables.js';
import { resourceObject } from '../src/output/resource-object.js';
import { renderDescribe, titleCase } from '../src/output/render-describe.js';
import { RateMeter, renderProgressBar, renderProgressLine } from '../src/output/progress-bar.js';
import { condition, dataLoadResource, dataLoadStatus, datasetResource, datasetStatus, objectMeta } from './resource-fixtures.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const created = NOW - 127_000; // 2m7s ago

function dataset(cachedBytes: number) {
  return datasetResource('demo', created, datasetStatus({
    ufsTotalBytes: 603_030, fileNum: 1, cachedBytes, cacheCapacityBytes: 10 * 1024 ** 3, cacheHitRatioPercentage: '50.0%',
  }));
}

test('dataset table matches the seed byte for byte', () => {
  const out = datasetTable([dataset(0)], { now: NOW });
  assert.equal(out,
    'NAME   UFS TOTAL SIZE   CACHED   CACHE CAPACITY   CACHED PERCENTAGE   PHASE   AGE\n' +
    'demo   588.90KiB        0.00B    10.00GiB         0.0%                Bound   2m7s\n');
});

test('dataset table: cached computed from exact bytes; 100.0% only when all is cached', () => {
  const full = datasetTable([dataset(603_030)], { now: NOW });
  assert.match(full, /^demo {3}588\.90KiB {8}588\.90KiB {3}10\.00GiB {9}100\.0% {14}Bound {3}2m7s$/m);
  const almost = datasetTable([dataset(603_029)], { now: NOW });
  assert.match(almost, / 99\.9% /);
});

test('dataset table -o wide adds TOTAL FILES, CACHE HIT RATIO and SOURCE', () => {
  const out = datasetTable([dataset(0)], { now: NOW, wide: true });
  const [header, row] = out.split('\n');
  assert.equal(header, 'NAME   UFS TOTAL SIZE   CACHED   CACHE CAPACITY   CACHED PERCENTAGE   PHASE   TOTAL FILES   CACHE HIT RATIO   SOURCE   AGE');
  assert.equal(row, 'demo   588.90KiB        0.00B    10.00GiB         0.0%                Bound   1             50.0%             bucket   2m7s');
});

test('a dataset without a status prints <none> cells', () => {
  const out = datasetTable([datasetResource('x', 0, null)], { now: NOW });
  assert.equal(out.split('\n')[1], 'x      <none>           <none>   <none>           <none>              <none>   <none>');
});

test('dataload table matches the seed', () => {
  const load = dataLoadResource('cron-dataload', NOW - 231_000, { dataset: 'demo', policy: 'Cron', schedule: '*/2 * * * *' },
    dataLoadStatus({ phase: 'Complete', duration: '2m12s' }));
  assert.equal(dataLoadTable([load], { now: NOW }),
    'NAME            DATASET   PHASE      AGE     DURATION\n' +
    'cron-dataload   demo      Complete   3m51s   2m12s\n');
});

test('runtime table: live/desired workers, tiers and the Fluid phase', () => {
  const runtime = {
    apiVersion: 'data.fluid.io/v1alpha1', kind: 'JindoRuntime', metadata: objectMeta('demo', NOW - 5_000), object: 'runtime' as const,
    runtime: {
      replicas: 2, fuseArgs: [], blockSize: 16 << 20,
      tiers: [{ medium: 'MEM', path: '/dev/shm', quotaBytes: 64 << 20, usedBytes: 0, high: 0.95, low: 0.7 }],
      status: { desiredWorkers: 2, liveWorkers: 1, workers: ['w0'], cacheCapacityBytes: 64 << 20 },
    },
  };
  assert.equal(runtimeTable([runtime], { now: NOW }).split('\n')[1],
    'demo   JindoRuntime   1/2       MEM:64.00MiB   64.00MiB         PartialReady   5s');
});

test('-o json objects: Fluid-shaped, times as RFC 3339, unset times and empty messages left out', () => {
  const t = Date.parse('2026-01-01T00:00:00Z');
  const load = dataLoadResource('once', t, { dataset: 'demo', policy: 'Once' }, dataLoadStatus({
    phase: 'Executing', lastScheduleTimeMs: t, conditions: [condition('Failed', t, { reason: 'R', message: 'm' })],
    runs: [{ startMs: t, endMs: 0, phase: 'Executing', bytes: 5, skippedTicks: 0, message: '' }],
  }));
  const o = resourceObject(load);
  assert.deepEqual(Object.keys(o), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  assert.deepEqual(o.metadata, {
    name: 'once', namespace: 'default', labels: {}, annotations: {}, creationTimestamp: '2026-01-01T00:00:00.000Z',
  });
  assert.deepEqual(o.spec, {
    dataset: { name: 'demo', namespace: 'default' }, policy: 'Once', loadMetadata: false, target: [{ path: '/', replicas: 1 }],
  });
  const status = o.status as Record<string, unknown>;
  assert.equal(status.lastScheduleTime, '2026-01-01T00:00:00.000Z');
  assert.ok(!('lastSuccessfulTime' in status));
  assert.deepEqual(status.runs, [{ start: '2026-01-01T00:00:00.000Z', phase: 'Executing', bytes: 5, skippedTicks: 0 }]);
  const ds = resourceObject(dataset(0));
  assert.equal((ds.status as { runtime: unknown; lastRefreshTime: unknown }).runtime, 'demo');
  assert.equal((ds.status as { lastRefreshTime: unknown }).lastRefreshTime, null);
  assert.equal((resourceObject(datasetResource('x', 0, null))).status, null);
});

test('worker table sums tiers', () => {
  const out = workerTable([{
    address: { workerId: 'w0', dataAddress: '127.0.0.1:3000', hostId: 'h', grpcAddress: '127.0.0.1:3001' },
    runtime: 'demo',
    tiers: [{ medium: 'MEM', path: '/dev/shm/w0', quotaBytes: 256 * 1024 ** 2, usedBytes: 1024, high: 0.99, low: 0.8 }],
    blockCount: 3, lastHeartbeatMs: NOW - 2000, live: true, counters: null,
  }], { now: NOW });
  assert.equal(out.split('\n')[1], 'w0     demo      127.0.0.1:3000   true   3        1.00KiB   256.00MiB   2s ago');
});

test('describe dataload prints the seed status block', () => {
  const out = renderDescribe({
    apiVersion: 'data.fluid.io/v1alpha1',
    kind: 'DataLoad',
    metadata: { name: 'cron-dataload', namespace: 'default' },
    spec: { dataset: { name: 'demo', namespace: 'default' }, policy: 'Cron', schedule: '*/2 * * * *' },
    status: {
      phase: 'Complete',
      duration: '8s',
      lastSuccessfulTime: '2023-08-24T06:44:08Z',
      lastScheduleTime: '2023-08-24T06:44:00Z',
      conditions: [{ type: 'Complete', status: 'True', lastProbeTime: '2023-08-24T06:44:08Z', lastTransitionTime: '2023-08-24T06:44:08Z' }],
    },
  });
  assert.equal(out, [
    'Name:         cron-dataload',
    'Namespace:    default',
    'Labels:       <none>',
    'Annotations:  <none>',
    'API Version:  data.fluid.io/v1alpha1',
    'Kind:         DataLoad',
    'Spec:',
    '  Dataset:',
    '    Name:       demo',
    '    Namespace:  default',
    '  Policy:       Cron',
    '  Schedule:     */2 * * * *',
    'Status:',
    '  Conditions:',
    '    Last Probe Time:       2023-08-24T06:44:08Z',
    '    Last Transition Time:  2023-08-24T06:44:08Z',
    '    Status:                True',
    '    Type:                  Complete',
    '  Duration:                8s',
    '  Last Schedule Time:      2023-08-24T06:44:00Z',
    '  Last Successful Time:    2023-08-24T06:44:08Z',
    '  Phase:                   Complete',
    'Events:  <none>',
    '',
  ].join('\n'));
  assert.equal(titleCase('ufsTotalBytes'), 'Ufs Total Bytes');
});

test('progress: bar on terminals, plain line otherwise, rate and ETA from samples', () => {
  const meter = new RateMeter();
  meter.add(0, 0);
  assert.equal(meter.rate(), undefined);
  meter.add(1000, 1024 * 1024);
  assert.equal(meter.rate(), 1024 * 1024);
  const p = { name: 'load', phase: 'Executing', filesDone: 1, filesTotal: 2, bytesDone: 1024 * 1024, bytesTotal: 3 * 1024 * 1024 };
  assert.equal(renderProgressLine(p, meter.rate()), 'load Executing 33.3% 1.00MiB/3.00MiB 1/2 files 1.00MiB/s ETA 2s');
  const bar = renderProgressBar(p, meter.rate(), 100);
  assert.match(bar, /^load Executing \[#+-+\] 33\.3% 1\.00MiB\/3\.00MiB 1\/2 files 1\.00MiB\/s ETA 2s$/);
  assert.ok(bar.length <= 100);
  // A new run (fewer bytes done) resets the rate window.
  meter.add(2000, 0);
  assert.equal(meter.rate(), undefined);
  const done = { ...p, phase: 'Complete', bytesDone: p.bytesTotal, filesDone: 2 };
  assert.equal(renderProgressLine(done, 5), 'load Complete 100.0% 3.00MiB/3.00MiB 2/2 files');
});

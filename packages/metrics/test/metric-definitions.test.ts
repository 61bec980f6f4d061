import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EddyError, NotFoundError } from '@eddy/core';
import { Registry } from 'prom-client';
import {
  ClientMetrics, DatasetLabels, FUSE_OPS, MasterMetrics, MAX_DATASET_LABELS, OTHER_DATASET, READ_SOURCES, WorkerMetrics,
  errorCodeLabel, seriesBound, type TierUsage,
} from '../src/index.js';

/** Series lines (`name{labels} value`) of the eddy_ metrics in the registry's text output. */
async function eddySeries(registry: Registry): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((l) => l.startsWith('eddy_'));
}

const CODES = ['NOT_FOUND', 'VERSION_MISMATCH', 'ACCESS_DENIED', 'UNREACHABLE', 'TIMEOUT', 'INVALID_ARGUMENT', 'UNAUTHENTICATED',
  'PROTOCOL', 'NO_SPACE', 'CORRUPT', 'UNAVAILABLE', 'ABORTED', 'READ_ONLY', 'INTERNAL'] as const;
const errors: unknown[] = [...CODES.map((c) => new EddyError(c, 'x')), new Error('untyped'), 'a string', { code: 'EWEIRD' }];

function touchClient(m: ClientMetrics, dataset: string): void {
  for (const s of READ_SOURCES) m.read(dataset, s, 10);
  for (const op of [...FUSE_OPS, 'made-up-op']) { m.startFuseOp(dataset, op)(true); m.startFuseOp(dataset, op)(false); }
  m.blockFetch(dataset, true); m.blockFetch(dataset, false);
  m.workerFailure(dataset); m.ufsRequest(dataset);
  for (const e of errors) m.ufsError(dataset, e);
}

function touchWorker(m: WorkerMetrics, dataset: string): void {
  for (const hit of [true, false]) m.blockRead(dataset, hit, 10);
  for (const reason of ['read_through', 'fetch', 'load'] as const) { m.blockFetch(dataset, reason, true); m.blockFetch(dataset, reason, false); }
  m.ufsRead(dataset, 5);
  for (const e of errors) m.ufsError(dataset, e);
}

function touchMaster(m: MasterMetrics, dataset: string): void {
  m.clientReads(dataset, { local: 1, remote: 2, ufs: 3 });
  m.dataloadBytes(dataset, 7);
  m.dataloadRunFinished(dataset, 'complete', 3);
  m.dataloadRunFinished(dataset, 'failed', 30);
}

test('every label but dataset is bounded: untyped errors fold into OTHER, unknown ops into other', () => {
  assert.equal(errorCodeLabel(new NotFoundError('x')), 'NOT_FOUND');
  assert.equal(errorCodeLabel(new Error('boom')), 'OTHER');
  assert.equal(errorCodeLabel({ code: 'ENOENT' }), 'OTHER');
  assert.equal(errorCodeLabel(undefined), 'OTHER');
});

test('dataset labels: the first MAX_DATASET_LABELS valid names, then _other; invalid names are never labels', () => {
  const labels = new DatasetLabels(3);
  assert.equal(labels.of('a'), 'a');
  assert.equal(labels.of('../etc/passwd'), OTHER_DATASET);
  assert.equal(labels.of('/models/base/weights.bin'), OTHER_DATASET);
  assert.equal(labels.of('Upper'), OTHER_DATASET);
  assert.equal(labels.of('b'), 'b');
  assert.equal(labels.of('c'), 'c');
  assert.equal(labels.of('d'), OTHER_DATASET);
  assert.equal(labels.of('a'), 'a');
  labels.forget('b');
  assert.equal(labels.of('d'), 'd');
  assert.equal(labels.size, 3);
});

test('the client counts bytes by source per dataset and keeps totals for its report to the master', async () => {
  const registry = new Registry();
  const m = new ClientMetrics(registry);
  m.read('demo', 'local', 100);
  m.read('demo', 'local', 50);
  m.read('demo', 'ufs', 7);
  m.read('demo', 'remote', 3);
  const out = await registry.metrics();
  assert.match(out, /^eddy_client_read_bytes_total\{dataset="demo",source="local"\} 150$/m);
  assert.match(out, /^eddy_client_reads_total\{dataset="demo",source="local"\} 2$/m);
  assert.match(out, /^eddy_client_read_bytes_total\{dataset="demo",source="ufs"\} 7$/m);
  assert.deepEqual(m.readTotals().get('demo'), { local: 150, remote: 3, ufs: 7 });
  const end = m.startFuseOp('demo', 'read');
  end(true);
  assert.match(await registry.metrics(), /^eddy_fuse_operation_duration_seconds_count\{dataset="demo",op="read"\} 1$/m);
  assert.match(await registry.metrics(), /^eddy_fuse_operations_total\{dataset="demo",op="read",result="ok"\} 1$/m);
});

test('worker tier gauges are read from the store at scrape time', async () => {
  const registry = new Registry();
  const m = new WorkerMetrics(registry);
  let tiers: TierUsage[] = [{ medium: 'MEM', quotaBytes: 1024, usedBytes: 10, blocks: 1 }, { medium: 'SSD', quotaBytes: 4096, usedBytes: 0, blocks: 0 }];
  m.addTierSource('demo', () => tiers);
  let out = await registry.metrics();
  assert.match(out, /^eddy_worker_tier_used_bytes\{dataset="demo",tier="0",medium="MEM"\} 10$/m);
  assert.match(out, /^eddy_worker_tier_capacity_bytes\{dataset="demo",tier="1",medium="SSD"\} 4096$/m);
  tiers = [{ medium: 'MEM', quotaBytes: 1024, usedBytes: 900, blocks: 9 }];
  out = await registry.metrics();
  assert.match(out, /^eddy_worker_tier_blocks\{dataset="demo",tier="0",medium="MEM"\} 9$/m);
  assert.doesNotMatch(out, /medium="SSD"/);
  m.evicted('demo', 0, 'MEM', 'demote');
  m.heartbeatAnswered('demo', 1_700_000_000_000);
  // A second worker of the runtime in the same process (eddy up): its tiers add up; removed, they go.
  const remove = m.addTierSource('demo', () => [{ medium: 'MEM', quotaBytes: 1024, usedBytes: 100, blocks: 1 }]);
  assert.match(await registry.metrics(), /^eddy_worker_tier_used_bytes\{dataset="demo",tier="0",medium="MEM"\} 1000$/m);
  remove();
  assert.match(await registry.metrics(), /^eddy_worker_tier_used_bytes\{dataset="demo",tier="0",medium="MEM"\} 900$/m);
  out = await registry.metrics();
  assert.match(out, /^eddy_worker_evictions_total\{dataset="demo",tier="0",medium="MEM",action="demote"\} 1$/m);
  assert.match(out, /^eddy_worker_last_heartbeat_timestamp_seconds\{dataset="demo"\} 1700000000$/m);
});

test('master gauges come from its state at scrape time; a deleted dataset\'s series go away', async () => {
  const registry = new Registry();
  const m = new MasterMetrics(registry);
  m.setSource({
    datasets: () => [{ dataset: 'demo', ufsBytes: 100, cachedBytes: 40, capacityBytes: 1000, files: 3, liveWorkers: 2, lostWorkers: 1, maxHeartbeatAgeSeconds: 0.5,
      onFallback: 1 }],
    dataloads: () => [{ dataset: 'demo', running: 1, doneBytes: 10, totalBytes: 100 }],
  });
  touchMaster(m, 'demo');
  let out = await registry.metrics();
  assert.match(out, /^eddy_dataset_cached_bytes\{dataset="demo"\} 40$/m);
  assert.match(out, /^eddy_master_workers_lost\{dataset="demo"\} 1$/m);
  assert.match(out, /^eddy_dataset_source_fallback\{dataset="demo"\} 1$/m);
  assert.match(out, /^eddy_dataload_progress_done_bytes\{dataset="demo"\} 10$/m);
  assert.match(out, /^eddy_master_read_bytes_total\{dataset="demo",source="remote"\} 2$/m);
  assert.match(out, /^eddy_dataload_runs_total\{dataset="demo",result="failed"\} 1$/m);
  assert.match(out, /^eddy_dataload_last_success_timestamp_seconds\{dataset="demo"\} \d+/m);
  m.setSource({ datasets: () => [], dataloads: () => [] });
  m.forgetDataset('demo');
  out = await registry.metrics();
  assert.doesNotMatch(out, /dataset="demo"/);
});

test('series stay under the stated bound with every label value touched for 10,000 dataset names', async () => {
  const registries = { client: new Registry(), worker: new Registry(), master: new Registry() };
  const client = new ClientMetrics(registries.client);
  const worker = new WorkerMetrics(registries.worker);
  const master = new MasterMetrics(registries.master);
  const manyTiers: TierUsage[] = Array.from({ length: 12 }, (_, i) => ({ medium: ['MEM', 'SSD', 'HDD', 'NVME'][i % 4]!, quotaBytes: 1, usedBytes: 1, blocks: 1 }));
  worker.addTierSource('demo', () => manyTiers);
  for (let i = 0; i < manyTiers.length; i++) for (const a of ['demote', 'drop'] as const) worker.evicted('demo', i, manyTiers[i]!.medium, a);
  const names: string[] = [];
  for (let i = 0; i < 10_000; i++) names.push(i % 10 === 0 ? `/path/file-${i}.bin` : `ds-${i}`);
  master.setSource({
    datasets: () => names.map((dataset) => ({ dataset, ufsBytes: 1, cachedBytes: 1, capacityBytes: 1, files: 1, liveWorkers: 1, lostWorkers: 0,
      maxHeartbeatAgeSeconds: 0, onFallback: 0 })),
    dataloads: () => names.map((dataset) => ({ dataset, running: 1, doneBytes: 1, totalBytes: 2 })),
  });
  for (const d of names) { touchClient(client, d); touchWorker(worker, d); touchMaster(master, d); }
  for (const [component, registry] of Object.entries(registries) as Array<['client' | 'worker' | 'master', Registry]>) {
    const series = await eddySeries(registry);
    assert.ok(series.length <= seriesBound(component), `${component}: ${series.length} series > bound ${seriesBound(component)}`);
    const datasets = new Set(series.map((l) => /dataset="([^"]*)"/.exec(l)?.[1]).filter((d) => d !== undefined));
    assert.ok(datasets.size <= MAX_DATASET_LABELS + 1, `${component}: ${datasets.size} dataset labels`);
    assert.ok(datasets.has(OTHER_DATASET));
    assert.ok(!series.some((l) => l.includes('/path/')), `${component}: a path became a label`);
  }
  // With one dataset, the per-dataset share is what a real mount or worker exports.
  const one = new Registry();
  touchClient(new ClientMetrics(one), 'demo');
  assert.ok((await eddySeries(one)).length <= seriesBound('client', 1));
});

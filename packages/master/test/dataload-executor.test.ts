// The DataLoad executor over an in-memory context: one run at a time, called directly (no
// scheduler, no timers): replicas, failures named per object, delta runs and stale-version
// frees, bounded concurrency, waiting for the first worker, abort.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@eddy/core';
import { DataLoadExecutor, type DataLoadExecutorOptions } from '../src/dataload/dataload-executor.js';
import { normaliseDataLoad } from '../src/dataload/dataload-spec.js';
import { beginRun, emptyDataLoadStatus, type DataLoadStatus, type RunProblem } from '../src/dataload/dataload-status.js';
import { BLOCK, dataLoad, FakeCluster } from './fake-dataload-context.js';

interface Outcome { problems: RunProblem[]; status: DataLoadStatus }

async function run(
  m: FakeCluster, yamlSpec: string,
  opts: { executor?: Partial<DataLoadExecutorOptions>; signal?: AbortSignal; waitForWorkersUntilMs?: number } = {},
): Promise<Outcome> {
  const executor = new DataLoadExecutor(m, { concurrency: 8, perWorkerConcurrency: 2, batchBlocks: 8, ...opts.executor });
  const status = emptyDataLoadStatus();
  beginRun(status, new Date());
  const { spec } = normaliseDataLoad(dataLoad(yamlSpec, 'run'));
  const problems = await executor.execute({
    spec, status, signal: opts.signal ?? new AbortController().signal, log: silentLogger(),
    waitForWorkersUntilMs: opts.waitForWorkersUntilMs ?? 0, onProgress: () => undefined,
  });
  return { problems, status };
}

describe('DataLoadExecutor', () => {
  test('loads every block once, counts progress, syncs metadata first', async () => {
    const m = new FakeCluster(['w1', 'w2']);
    m.putObject('/notes.md', 5 * BLOCK + 100, 'v1');
    m.putObject('/dir/a.bin', 3 * BLOCK, 'a1');
    m.putObject('/empty', 0, 'e1');
    const { problems, status } = await run(m, 'policy: Once');
    assert.deepEqual(problems, []);
    assert.equal(m.refreshes, 1);
    const bytes = 8 * BLOCK + 100;
    assert.deepEqual(status.progress, { filesDone: 3, filesTotal: 3, bytesDone: bytes, bytesTotal: bytes, bytesFetched: bytes });
    for (const p of ['/notes.md', '/dir/a.bin']) for (const k of m.currentKeys(p)) assert.equal(m.holders(k).length, 1);
  });

  test('a delta run fetches only the changed object and frees the blocks of its old version', async () => {
    const m = new FakeCluster(['w1', 'w2']);
    m.putObject('/notes.md', 5 * BLOCK + 100, 'v1');
    m.putObject('/dir/a.bin', 3 * BLOCK, 'a1');
    await run(m, 'policy: Once');
    const unchanged = await run(m, 'policy: Once');
    assert.equal(unchanged.status.progress.bytesFetched, 0);
    assert.equal(unchanged.status.progress.bytesDone, 8 * BLOCK + 100);
    const calls = m.loadCalls.length;
    const oldKeys = m.currentKeys('/notes.md');
    m.putObject('/notes.md', 6 * BLOCK + 20, 'v2');
    const changed = await run(m, 'policy: Once');
    assert.deepEqual(changed.problems, []);
    assert.equal(changed.status.progress.bytesFetched, 6 * BLOCK + 20, 'only the changed file is fetched');
    assert.deepEqual(new Set(m.loadCalls.slice(calls).flatMap((x) => x.paths)), new Set(['/notes.md']));
    const held = m.allHeldKeys();
    for (const k of oldKeys) assert.ok(!held.has(k), 'old-version block freed');
    assert.deepEqual(held, new Set([...m.currentKeys('/notes.md'), ...m.currentKeys('/dir/a.bin')]));
  });

  test('replicas above the live workers: loads what is possible and says why it is not enough', async () => {
    const m = new FakeCluster(['w1', 'w2', 'w3']);
    m.setLive('w3', false);
    m.putSynced('/models/a.bin', 4 * BLOCK, 'a1');
    m.putSynced('/models/b.bin', BLOCK / 2, 'b1');
    const { problems } = await run(m, 'policy: Once\ntarget:\n  - path: /models\n    replicas: 3');
    assert.equal(problems[0]?.reason, 'NotEnoughWorkers');
    assert.match(problems[0]?.message ?? '', /3 replicas wanted but runtime demo has 2 live worker/);
    for (const p of ['/models/a.bin', '/models/b.bin']) {
      for (const k of m.currentKeys(p)) assert.deepEqual(m.holders(k).sort(), ['w1', 'w2']);
    }
    assert.equal(m.nodes.get('w3')?.blocks.size, 0);
  });

  test('two targets with replicas 2 put every block on both workers, within the concurrency bound', async () => {
    const m = new FakeCluster(['w1', 'w2']);
    m.putSynced('/p1/x', 3 * BLOCK + 1, 'x1');
    m.putSynced('/p2/y', 2 * BLOCK, 'y1');
    m.putSynced('/other', BLOCK, 'o1');
    const targets = [['/p1', 1], ['/p2/y', 2], ['/p1/x', 2]].map(([p, r]) => `  - path: ${p}\n    replicas: ${r}`);
    const spec = `policy: Once\ntarget:\n${targets.join('\n')}`;
    const { problems, status } = await run(m, spec, { executor: { concurrency: 2, perWorkerConcurrency: 1, batchBlocks: 1 } });
    assert.deepEqual(problems, []);
    for (const p of ['/p1/x', '/p2/y']) for (const k of m.currentKeys(p)) assert.deepEqual(m.holders(k).sort(), ['w1', 'w2']);
    assert.deepEqual(m.currentKeys('/other').map((k) => m.holders(k).length), [0], 'outside the targets');
    assert.ok(m.maxInFlight <= 2, `maxInFlight ${m.maxInFlight}`);
    assert.equal(status.progress.filesTotal, 2);
    assert.equal(status.progress.bytesFetched, 2 * (3 * BLOCK + 1) + 2 * 2 * BLOCK);
  });

  test('an unreadable object fails alone and is named first; a missing target is named too', async () => {
    const m = new FakeCluster(['w1', 'w2']);
    m.putSynced('/ok1', 2 * BLOCK, 'a');
    m.putSynced('/bad', 2 * BLOCK, 'b');
    m.unreadable.add('/bad');
    const { problems, status } = await run(m, 'policy: Once\ntarget:\n  - path: /\n  - path: /missing');
    assert.equal(problems[0]?.reason, 'ObjectsFailed');
    assert.match(problems[0]?.message ?? '', /\/missing \(not found in dataset demo\)/);
    assert.deepEqual(status.failedFiles.map((f) => f.path).sort(), ['/bad', '/missing']);
    assert.match(status.failedFiles.find((f) => f.path === '/bad')?.message ?? '', /access denied/);
    assert.equal(status.progress.filesDone, 1);
    for (const k of m.currentKeys('/ok1')) assert.equal(m.holders(k).length, 1);
  });

  test('no live workers: NotEnoughWorkers, nothing loaded', async () => {
    const m = new FakeCluster(['w1']);
    m.setLive('w1', false);
    m.putSynced('/f', BLOCK, 'v1');
    const { problems } = await run(m, 'policy: Once');
    assert.equal(problems[0]?.reason, 'NotEnoughWorkers');
    assert.match(problems[0]?.message ?? '', /no live workers/);
    assert.equal(m.loadCalls.length, 0);
  });

  test('within the startup window a run waits for the first worker to come back, then loads', async () => {
    const m = new FakeCluster(['w1']);
    m.setLive('w1', false);
    m.putSynced('/f', 2 * BLOCK, 'v1');
    const running = run(m, 'policy: Once', { waitForWorkersUntilMs: Date.now() + 60_000 });
    await new Promise((r) => setImmediate(r));
    assert.equal(m.loadCalls.length, 0);
    m.setLive('w1', true);
    const { problems } = await running;
    assert.deepEqual(problems, []);
    for (const k of m.currentKeys('/f')) assert.deepEqual(m.holders(k), ['w1']);
  });

  test('an abort mid-batch ends the run at once, without failing its blocks', async () => {
    const m = new FakeCluster(['w1']);
    m.putSynced('/f', 20 * BLOCK, 'v1');
    m.loadGate = new Promise(() => undefined);
    const abort = new AbortController();
    const running = run(m, 'policy: Once', { signal: abort.signal, executor: { batchBlocks: 1, concurrency: 1, perWorkerConcurrency: 1 } });
    while (m.loadCalls.length === 0) await new Promise((r) => setImmediate(r));
    abort.abort();
    const { problems, status } = await running;
    assert.deepEqual(problems, []);
    assert.deepEqual(status.failedFiles, []);
    assert.equal(m.loadCalls.length, 1, 'no batch is sent after the abort');
  });
});

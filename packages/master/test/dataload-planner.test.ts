// The DataLoad planner and run tracker, purely: no timers, no processes, no context.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { blockKey } from '@eddy/core';
import { mergeTargets, planDataLoad, type PlanInput } from '../src/dataload/dataload-planner.js';
import { emptyDataLoadStatus } from '../src/dataload/dataload-status.js';
import { RunTracker } from '../src/dataload/run-tracker.js';

const BS = 100;

function key(path: string, index: number, version = 'v1'): string {
  return blockKey('ds', path, version, index, BS);
}

/** A plan input with three live workers, no holders and preferred order w1, w2, w3 unless overridden. */
function input(over: Partial<PlanInput> & Pick<PlanInput, 'files'>): PlanInput {
  return {
    dataset: 'ds', blockSize: BS, liveWorkers: ['w1', 'w2', 'w3'], batchBlocks: 8,
    holders: () => [],
    preferredWorkers: (_k, n) => ['w1', 'w2', 'w3'].slice(0, n),
    ...over,
  };
}

describe('mergeTargets', () => {
  test('a file under two targets takes the larger replica count, once', () => {
    const a = { path: '/p/a', size: 10, version: 'v1' };
    const b = { path: '/p/b', size: 20, version: 'v1' };
    const merged = mergeTargets([{ replicas: 1, files: [a, b] }, { replicas: 2, files: [a] }, { replicas: 1, files: [a] }]);
    assert.deepEqual(merged, [{ file: a, replicas: 2 }, { file: b, replicas: 1 }]);
  });
});

describe('planDataLoad', () => {
  test('blocks held by enough live workers cost nothing; a holder that is not live does not count', () => {
    const holders = new Map([[key('/f', 0), ['w1']], [key('/f', 1), ['gone']]]);
    const plan = planDataLoad(input({
      files: [{ file: { path: '/f', size: 250, version: 'v1' }, replicas: 1 }],
      holders: (k) => holders.get(k) ?? [],
    }));
    assert.equal(plan.bytesHeld, 100);
    assert.deepEqual([...plan.blocks.keys()], [key('/f', 1), key('/f', 2)]);
    assert.deepEqual(plan.blocks.get(key('/f', 2)), { path: '/f', length: 50, copies: 1 });
    assert.equal(plan.blocksLeft.get('/f'), 2);
    assert.deepEqual(plan.batches.map((b) => [b.workerId, b.refs.map((r) => r.index)]), [['w1', [1, 2]]]);
  });

  test('replicas are capped at the live workers, preferred order first, never a worker that holds the block', () => {
    const plan = planDataLoad(input({
      files: [{ file: { path: '/f', size: 100, version: 'v1' }, replicas: 5 }],
      liveWorkers: ['w2', 'w3'],
      holders: (k) => (k === key('/f', 0) ? ['w3'] : []),
      preferredWorkers: () => ['w3', 'w2'],
    }));
    assert.equal(plan.wantedReplicas, 5);
    assert.deepEqual(plan.batches.map((b) => b.workerId), ['w2']);
    assert.equal(plan.blocks.get(key('/f', 0))?.copies, 1);
  });

  test('batches of batchBlocks, interleaved across workers; refs carry what a worker needs to fetch', () => {
    const plan = planDataLoad(input({
      files: [{ file: { path: '/big', size: 5 * BS, version: 'v7' }, replicas: 2 }],
      liveWorkers: ['w1', 'w2'],
      preferredWorkers: () => ['w1', 'w2'],
      batchBlocks: 2,
    }));
    const order = plan.batches.map((b) => `${b.workerId}:${b.refs.map((r) => r.index).join(',')}`);
    assert.deepEqual(order, ['w1:0,1', 'w2:0,1', 'w1:2,3', 'w2:2,3', 'w1:4', 'w2:4']);
    const ref = { key: key('/big', 1, 'v7'), dataset: 'ds', path: '/big', version: 'v7', index: 1, blockSize: BS, fileSize: 500 };
    assert.deepEqual(plan.batches[0]?.refs[1], ref);
    assert.equal(plan.blocks.get(key('/big', 4, 'v7'))?.copies, 2);
  });

  test('an empty file has no blocks and is complete at once', () => {
    const plan = planDataLoad(input({ files: [{ file: { path: '/empty', size: 0, version: 'e' }, replicas: 1 }] }));
    assert.equal(plan.blocksLeft.get('/empty'), 0);
    assert.equal(plan.batches.length, 0);
  });
});

describe('RunTracker', () => {
  test('a block is done when every copy landed, a file when all its blocks are; held blocks count at once', () => {
    const status = emptyDataLoadStatus();
    const plan = planDataLoad(input({
      files: [
        { file: { path: '/a', size: 150, version: 'v1' }, replicas: 2 },
        { file: { path: '/held', size: 100, version: 'v1' }, replicas: 1 },
      ],
      holders: (k) => (k === key('/held', 0) ? ['w1'] : []),
    }));
    const tracker = new RunTracker(plan, status);
    assert.deepEqual([status.progress.filesDone, status.progress.bytesDone], [1, 100]);
    tracker.loaded(key('/a', 0), 100);
    assert.equal(status.progress.bytesDone, 100, 'one of two copies');
    tracker.loaded(key('/a', 0), 0);
    tracker.loaded(key('/a', 1), 50);
    tracker.loaded(key('/a', 1), 50);
    assert.deepEqual(status.progress, { filesDone: 2, filesTotal: 0, bytesDone: 250, bytesTotal: 0, bytesFetched: 200 });
  });

  test('a failed block names its file once, with the first reason; the file is never done', () => {
    const status = emptyDataLoadStatus();
    const plan = planDataLoad(input({ files: [{ file: { path: '/bad', size: 300, version: 'v1' }, replicas: 1 }] }));
    const tracker = new RunTracker(plan, status);
    tracker.failed(key('/bad', 0), 'ACCESS_DENIED: no');
    tracker.failed(key('/bad', 1), 'second reason');
    tracker.loaded(key('/bad', 2), 100);
    tracker.loaded(key('/bad', 0), 100);
    assert.deepEqual(status.failedFiles, [{ path: '/bad', message: 'ACCESS_DENIED: no' }]);
    assert.equal(status.progress.filesDone, 0);
    assert.equal(status.progress.bytesDone, 100);
  });
});

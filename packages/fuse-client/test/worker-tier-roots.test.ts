// The live-worker list the read path falls back to: a master that names no live worker (it just
// restarted and has heard no heartbeat yet) keeps the last list, so a mount still reads through the
// workers that are up instead of failing every uncached read until they re-register (the CI failure
// of security-secrets after a master kill -9). A later non-empty answer replaces it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@eddy/core';
import type { proto } from '@eddy/protocol';
import { WorkerTierRoots } from '../src/read-path/worker-tier-roots.js';

function worker(dataAddress: string, live: boolean, tier = '/t'): proto.WorkerStatus__Output {
  return { address: { dataAddress }, live, tiers: [{ path: tier }] } as unknown as proto.WorkerStatus__Output;
}

test('an answer with no live worker keeps the last live list; a new non-empty one replaces it; failures keep it', async () => {
  const answers: Array<proto.WorkerStatus__Output[] | Error> = [
    [worker('a:1', true), worker('b:1', false)],
    [],
    [worker('a:1', false)],
    new Error('master down'),
    [worker('c:1', true, 'relative')],
  ];
  let calls = 0;
  const roots = new WorkerTierRoots({
    master: {
      listWorkers: async () => {
        const next = answers[calls++]!;
        if (next instanceof Error) throw next;
        return { workers: next } as never;
      },
    },
    // Negative ages: every call asks the master again, so each line below sees the next answer.
    runtime: 'r', timeoutMs: 1_000, logger: silentLogger(), minRefreshMs: -1, ttlMs: -1,
  });
  assert.deepEqual(await roots.liveAddresses(), ['a:1']);
  assert.deepEqual(await roots.liveAddresses(), ['a:1'], 'empty answer (a restarted master): the last list stays');
  assert.deepEqual(await roots.rootsOf('a:1'), ['/t'], 'a known worker that is not live still has its roots');
  assert.deepEqual(await roots.liveAddresses(), ['a:1'], 'a failed ask keeps the list');
  assert.deepEqual(await roots.liveAddresses(), ['c:1'], 'a non-empty answer replaces it');
  assert.equal(calls, 5);
});

test('a reader that found no usable live worker asks again sooner (fresh), but not more than once per minFreshMs', async () => {
  // The master first names w1's old port, then (w1 restarted) its new one.
  const answers = [[worker('w1:old', true)], [worker('w1:new', true)], [worker('w1:newer', true)]];
  let calls = 0;
  const roots = new WorkerTierRoots({
    master: { listWorkers: async () => ({ workers: answers[Math.min(calls++, answers.length - 1)]! }) as never },
    runtime: 'r', timeoutMs: 1_000, logger: silentLogger(), minRefreshMs: 60_000, minFreshMs: 100,
  });
  assert.deepEqual(await roots.liveAddresses(), ['w1:old']);
  assert.deepEqual(await roots.liveAddresses(), ['w1:old'], 'within minRefreshMs: the last answer');
  assert.deepEqual(await roots.liveAddresses({ fresh: true }), ['w1:old'], 'fresh, but asked less than minFreshMs ago');
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(await roots.liveAddresses({ fresh: true }), ['w1:new'], 'fresh: asked again');
  assert.deepEqual(await roots.liveAddresses({ fresh: true }), ['w1:new'], 'not again within minFreshMs');
  assert.equal(calls, 2);
});

test('rootsNow answers without asking: the last fresh answer\'s roots, undefined before one or once it is stale', async () => {
  let calls = 0;
  let ttlMs = 60_000;
  const roots = new WorkerTierRoots({
    master: { listWorkers: async () => { calls++; return { workers: [worker('a:1', true, '/tier-a')] } as never; } },
    runtime: 'r', timeoutMs: 1_000, logger: silentLogger(), get ttlMs() { return ttlMs; },
  });
  assert.equal(roots.rootsNow('a:1'), undefined, 'nothing asked yet');
  assert.equal(calls, 0, 'rootsNow never asks');
  assert.deepEqual(await roots.rootsOf('a:1'), ['/tier-a']);
  assert.deepEqual(roots.rootsNow('a:1'), ['/tier-a']);
  assert.equal(roots.rootsNow('b:1'), undefined, 'a worker the answer does not name');
  ttlMs = -1;
  assert.equal(roots.rootsNow('a:1'), undefined, 'a stale answer: rootsOf would ask again');
  assert.equal(calls, 1);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from '../src/kube/work-queue.js';

test('a key is queued once, and a change while it is processed queues it again afterwards', async () => {
  const q = new WorkQueue();
  q.add('a');
  q.add('a');
  q.add('b');
  assert.equal(q.length, 2);
  const first = await q.get();
  assert.equal(first, 'a');
  q.add('a'); // changed while processing: not handed to a second worker now
  assert.equal(await q.get(), 'b');
  assert.equal(q.length, 0);
  q.done('a');
  assert.equal(await q.get(), 'a');
  q.close();
  assert.equal(await q.get(), undefined);
});

test('failures back off exponentially per key, forget resets them', () => {
  const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 50 });
  assert.deepEqual([q.addRateLimited('k'), q.addRateLimited('k'), q.addRateLimited('k'), q.addRateLimited('k')], [10, 20, 40, 50]);
  q.forget('k');
  assert.equal(q.addRateLimited('k'), 10);
  q.close();
});

test('addAfter keeps the earliest of several pending times', async () => {
  const q = new WorkQueue();
  q.addAfter('k', 60_000);
  q.addAfter('k', 5);
  const got = await q.get(AbortSignal.timeout(5000));
  assert.equal(got, 'k');
  q.close();
});

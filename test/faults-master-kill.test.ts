// Fault: kill -9 of the master in the middle of a DataLoad. While it is down, cached data keeps
// reading correctly through the mount; after a restart on the same data directory the interrupted
// run is marked Failed ("master restarted during run"), the load runs again and completes, and no
// DataLoad stays Executing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { eventually, EddyCluster, MiB, faultManifests, onceDataLoad, readInChild, dropPageCache } from '@eddy/test-cluster';

let cluster: EddyCluster | undefined;
after(async () => { await cluster?.close(); });

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('kill -9 of the master during a DataLoad: cached reads go on, the load is retried after restart and completes', { timeout: 170_000 }, async () => {
  cluster = await EddyCluster.start('fault-master-kill');
  const c = cluster;
  const hot = new Map<string, Buffer>([['hot/a.bin', randomBytes(3 * MiB + 5)], ['hot/b.bin', randomBytes(MiB + 77)]]);
  const bulk = new Map<string, Buffer>();
  for (let i = 0; i < 48; i++) bulk.set(`bulk/f${i}.bin`, randomBytes(4 * MiB));
  await c.putObjects(hot);
  await c.putObjects(bulk);
  await c.apply(faultManifests(c.bucket, c.s3, { blockSize: '256Ki' }));
  await c.refresh();
  await c.startWorker({ id: 'w1', tiers: [`MEM:${join(c.root, 'tier')}:512Mi`] });
  await c.apply(onceDataLoad('hot', 'models', ['/hot']));
  await c.waitDataLoad('hot');
  const mnt = join(c.root, 'mnt');
  await c.mount(mnt);
  for (const [k, v] of hot) assert.equal((await readInChild(join(mnt, k))).sha256, sha256(v), k);

  // The bulk load: kill the master once it has made some progress but is not done.
  await c.apply(onceDataLoad('bulk', 'models', ['/bulk']));
  const seen = await eventually('bulk Executing with progress', 60_000, async () => {
    const d = await c.dataLoadStatus('bulk');
    if (d?.phase === 'Complete') throw new Error('bulk completed before the master could be killed');
    return d?.phase === 'Executing' && d.progress && d.progress.bytesDone > 0 ? d.progress : undefined;
  }, 50);
  const hitsBefore = (await c.workerStatus('w1'))!.hits;
  c.master.child.kill('SIGKILL');
  await c.master.wait(10_000);
  assert.ok(seen.bytesDone < seen.bytesTotal);

  // Master down: cached files still read right (fresh opens, no page cache).
  await dropPageCache();
  for (const [k, v] of hot) {
    const r = await readInChild(join(mnt, k), { timeoutMs: 60_000 });
    assert.ok(r.ok, `${k} while the master is down: ${JSON.stringify(r)}`);
    assert.equal(r.sha256, sha256(v), k);
  }

  // Restart on the same address and data directory.
  await c.startMaster();
  await c.waitMaster();
  const afterRestart = await eventually('bulk status after restart', 30_000, async () => await c.dataLoadStatus('bulk'), 200);
  const interrupted = afterRestart.runs.find((r) => r.message === 'master restarted during run');
  assert.ok(interrupted, `the interrupted run is recorded: ${JSON.stringify(afterRestart.runs)}`);
  assert.equal(interrupted.phase, 'Failed');
  assert.ok(interrupted.endMs > 0, 'the interrupted run has an end time');
  await c.waitWorkerLive('w1', true);
  // The reads while the master was down were served by the worker's cache (its counters, sent
  // with heartbeats, reach the restarted master): one hit per block of the hot files at least.
  const hotBlocks = [...hot.values()].reduce((n, b) => n + Math.ceil(b.length / (256 * 1024)), 0);
  let lastHits: unknown;
  await eventually('the worker counted cache hits for the reads while the master was down', 20_000, async () => {
    const s = await c.workerStatus('w1');
    lastHits = { hitsBefore, hotBlocks, s };
    return s && s.hits >= hitsBefore + hotBlocks ? s : undefined;
  }, 200).catch((err: Error) => { throw new Error(`${err.message}: ${JSON.stringify(lastHits)}`); });
  const done = await c.waitDataLoad('bulk', 90_000);
  assert.equal(done.runs.at(-1)!.phase, 'Complete');
  // Nothing stays Executing, and the data is all cached.
  const all = await c.rpc.get({ kind: 'DataLoad', name: '' }, { timeoutMs: 5000 });
  for (const r of all.resources) assert.notEqual(r.dataload?.status?.phase, 'Executing', JSON.stringify(r));
  const total = [...hot.values(), ...bulk.values()].reduce((s, b) => s + b.length, 0);
  await eventually('everything cached', 30_000, async () => {
    const d = await c.datasetStatus('models');
    return d?.cachedBytes === total ? true : undefined;
  });
  await dropPageCache();
  for (const k of ['bulk/f0.bin', 'bulk/f47.bin']) assert.equal((await readInChild(join(mnt, k))).sha256, sha256(bulk.get(k)!), k);
});

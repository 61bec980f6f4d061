// Fault: kill -9 of the `eddy mount` process leaves a broken mountpoint ("Transport endpoint is not
// connected"); a new `eddy mount` on the same path recovers it. Then the worker (file tier on disk)
// is killed and restarted with the same tier directory: its blocks are reported again, the dataset
// is still 100% cached, and reads hit them — with the S3 server stopped, so no byte can come from
// the bucket.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually, runEddy, isMounted, EddyCluster, MiB, faultManifests, onceDataLoad, readInChild, dropPageCache } from '@eddy/test-cluster';

let cluster: EddyCluster | undefined;
after(async () => { await cluster?.close(); });

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('kill -9 of eddy mount: a new mount recovers the path; a restarted worker keeps its file-tier cache', { timeout: 170_000 }, async () => {
  cluster = await EddyCluster.start('fault-fuse-kill');
  const c = cluster;
  const objects = new Map<string, Buffer>();
  for (let i = 0; i < 4; i++) objects.set(`d/f${i}.bin`, randomBytes(3 * MiB + i * 333));
  const total = [...objects.values()].reduce((s, b) => s + b.length, 0);
  await c.putObjects(objects);
  await c.apply(faultManifests(c.bucket, c.s3, { blockSize: '1Mi' }));
  await c.refresh();
  const tier = `SSD:${join(c.root, 'ssd')}:256Mi`;
  await c.startWorker({ id: 'w1', tiers: [tier] });
  await c.apply(onceDataLoad('warm', 'models'));
  await c.waitDataLoad('warm');

  const mnt = join(c.root, 'mnt');
  const first = await c.mount(mnt);
  for (const [k, v] of objects) assert.equal((await readInChild(join(mnt, k))).sha256, sha256(v), k);
  first.child.kill('SIGKILL');
  await first.wait(10_000);
  assert.equal(await isMounted(mnt), true, 'the dead mount is still in the mount table');
  await assert.rejects(stat(mnt), (err: NodeJS.ErrnoException) => err.code === 'ENOTCONN');

  await c.mount(mnt);
  await dropPageCache();
  for (const [k, v] of objects) assert.equal((await readInChild(join(mnt, k))).sha256, sha256(v), `${k} after remount`);

  // Worker restart (kill -9, same id, ports and tier directory).
  const before = await c.workerStatus('w1');
  const blocks = [...objects.values()].reduce((s, b) => s + Math.ceil(b.length / MiB), 0);
  assert.ok(before && before.blockCount === blocks, `w1 holds every block: ${JSON.stringify(before)}`);
  c.workers.get('w1')!.proc.child.kill('SIGKILL');
  await c.workers.get('w1')!.proc.wait(10_000);
  await c.waitWorkerLive('w1', false, 20_000);
  await c.startWorker({ id: 'w1', tiers: [tier] });
  // The new process's first heartbeats carry its own counters (zero), replacing the old ones.
  await eventually('w1 reports its blocks again', 20_000, async () => {
    const s = await c.workerStatus('w1');
    return s && s.blockCount === before.blockCount && s.hits === 0 ? s : undefined;
  }, 200);
  const ds = await c.datasetStatus('models');
  assert.equal(ds?.cachedBytes, total);
  const json = await runEddy(['get', 'worker', '-o', 'json'], { env: c.env });
  assert.equal(json.code, 0, json.stderr);
  const listed = (JSON.parse(json.stdout) as { items: { live: boolean; blockCount: number; address: { workerId: string } }[] }).items;
  assert.deepEqual(listed.map((w) => [w.address.workerId, w.live, Number(w.blockCount)]), [['w1', true, before.blockCount]]);

  // Reads hit the surviving cache: the bucket is down, and the worker counts hits, no misses.
  await c.s3.stop();
  await dropPageCache();
  for (const [k, v] of objects) {
    const r = await readInChild(join(mnt, k), { timeoutMs: 60_000 });
    assert.equal(r.sha256, sha256(v), `${k} from the restarted worker's cache: ${JSON.stringify(r)}`);
  }
  const counters = await eventually('hit counters', 10_000, async () => {
    const s = await c.workerStatus('w1');
    return s && s.hits >= blocks ? s : undefined;
  }, 200);
  assert.equal(counters.misses, 0, JSON.stringify(counters));
  await c.s3.restart();
});

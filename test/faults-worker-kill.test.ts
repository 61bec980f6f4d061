// Fault: kill -9 of a worker while 16 readers are in the middle of their files through the mount.
// Every reader holds an open, half-read handle when the worker dies; every read must still
// complete with the object's SHA-256 (the blocks it held come from the other worker or the bucket).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EddyCluster, MiB, faultManifests, onceDataLoad, readInChild, dropPageCache } from '@eddy/test-cluster';

let cluster: EddyCluster | undefined;
after(async () => { await cluster?.close(); });

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('kill -9 of a worker during 16 parallel reads through the mount: every read has the right SHA-256', { timeout: 170_000 }, async () => {
  cluster = await EddyCluster.start('fault-worker-kill');
  const c = cluster;
  const objects = new Map<string, Buffer>();
  for (let i = 0; i < 16; i++) objects.set(`f${String(i).padStart(2, '0')}.bin`, randomBytes(12 * MiB + i * 4099));
  await c.putObjects(objects);
  await c.apply(faultManifests(c.bucket, c.s3, { replicas: 2, blockSize: '1Mi' }));
  await c.refresh();
  await c.startWorker({ id: 'w1' });
  await c.startWorker({ id: 'w2' });
  // Half the blocks cached (one replica, spread over both workers); the rest read through on demand.
  await c.apply(onceDataLoad('warm', 'models', ['/'], 1));
  await c.waitDataLoad('warm', 90_000);
  const before1 = await c.workerStatus('w1');
  assert.ok(before1 && before1.blockCount > 0, `w1 holds blocks: ${JSON.stringify(before1)}`);

  const mnt = join(c.root, 'mnt');
  await c.mount(mnt);
  await dropPageCache();
  const keys = [...objects.keys()];
  const flags = keys.map((_k, i) => join(c.root, `flag-${i}`));
  const go = join(c.root, 'go');
  const reads = keys.map((k, i) => readInChild(join(mnt, k), { pauseAfter: 2 * MiB, flagFile: flags[i], goFile: go, timeoutMs: 120_000 }));
  const deadline = Date.now() + 60_000;
  while (!flags.every((f) => existsSync(f))) {
    assert.ok(Date.now() < deadline, 'every reader got 2 MiB into its file');
    await new Promise((r) => setTimeout(r, 20));
  }
  c.workers.get('w1')!.proc.child.kill('SIGKILL');
  await c.workers.get('w1')!.proc.wait(10_000);
  writeFileSync(go, '');
  const results = await Promise.all(reads);
  results.forEach((r, i) => {
    const key = keys[i]!;
    assert.ok(r.ok, `${key}: ${JSON.stringify(r)}`);
    assert.equal(r.bytes, objects.get(key)!.length, key);
    assert.equal(r.sha256, sha256(objects.get(key)!), key);
  });

  // The master notices the loss; fresh reads after it (page cache dropped) are still right.
  await c.waitWorkerLive('w1', false, 20_000);
  await dropPageCache();
  const again = await Promise.all(keys.slice(0, 4).map((k) => readInChild(join(mnt, k))));
  again.forEach((r, i) => assert.equal(r.sha256, sha256(objects.get(keys[i]!)!), keys[i]));
});

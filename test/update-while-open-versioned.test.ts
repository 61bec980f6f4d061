// Issue 13, versioned bucket: a handle holds a file open across an overwrite and a DataLoad, then
// the only worker loses every block (restarted with an empty tier). The old version's blocks are
// cached nowhere, but the bucket keeps versions: they are fetched by versionId, and the handle
// still reads exactly the version it opened. Real processes, versitygw with bucket versioning.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { onceDataLoadManifest } from '@eddy/testkit';
import { EddyCluster, MiB, eventually, faultManifests, onceDataLoad, readInChild } from '@eddy/test-cluster';

const SIZE = 24 * MiB;
const HELD = 4 * MiB;
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let cluster: EddyCluster | undefined;
after(async () => { await cluster?.close(); });

test('an old version\'s uncached blocks are fetched by versionId: the handle reads what it opened', { timeout: 240_000 }, async () => {
  cluster = await EddyCluster.start('update-versioned', { s3Versioning: true });
  const c = cluster;
  const oldBytes = randomBytes(SIZE);
  const newBytes = randomBytes(SIZE);
  await c.s3.client.putObject(c.bucket, 'model.bin', oldBytes, SIZE);
  await c.apply(faultManifests(c.bucket, c.s3, {
    blockSize: '4Mi', fuseArgs: ['-okernel_cache', '-oro', '-oattr_timeout=2', '-oentry_timeout=2', '-onegative_timeout=2'],
  }));
  await c.refresh();
  await c.startWorker({ id: 'w1' });
  await c.apply(onceDataLoad('warm', 'models'));
  await c.waitDataLoad('warm', 90_000);
  const mnt = join(c.root, 'mnt');
  await c.mount(mnt);

  const flag = join(c.root, 'held');
  const go = join(c.root, 'go');
  const a = readInChild(join(mnt, 'model.bin'), { pauseAfter: HELD, flagFile: flag, goFile: go, timeoutMs: 120_000 });
  await eventually('A to hold its handle', 60_000, async () => (existsSync(flag) ? true : undefined), 20);

  await c.s3.client.putObject(c.bucket, 'model.bin', newBytes, SIZE);
  await c.apply(onceDataLoadManifest('refresh', 'models', ['/'], { loadMetadata: true }));
  await c.waitDataLoad('refresh', 90_000);
  // The worker restarts with an empty tier: the old version is now only in the bucket, as a non-current version.
  const w = c.workers.get('w1')!;
  w.proc.child.kill('SIGKILL');
  await w.proc.wait(10_000);
  await rm(c.defaultTierDir('w1'), { recursive: true, force: true });
  await c.startWorker({ id: 'w1' });

  writeFileSync(go, '');
  const r = await a;
  assert.ok(r.ok, `A: ${JSON.stringify(r)}`);
  assert.equal(r.bytes, SIZE);
  assert.equal(r.sha256, sha256(oldBytes), 'A reads exactly the version it opened, fetched by versionId');
  const b = await readInChild(join(mnt, 'model.bin'));
  assert.equal(b.sha256, sha256(newBytes), 'a new open reads the new version');
});

// A Once DataLoad with two targets and `replicas: 2` on a two-worker Runtime puts every block of
// the targeted files on both workers, and nothing of the files outside the targets.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onceDataLoadManifest, s3DatasetManifests, startS3Server } from '@eddy/testkit';
import { createMasterClient, readTokenFile } from '@eddy/protocol';
import { EddyProcess, runEddy, eventually, forceUnmount, isMounted, CleanupStack } from '@eddy/test-cluster';

const cleanup = new CleanupStack();
after(async () => { await cleanup.run(); });

const MiB = 1024 * 1024;

function manifests(bucket: string, s3: { endpoint: string; region: string; accessKey: string; secretKey: string }): string {
  return `${s3DatasetManifests(bucket, s3, { replicas: 2, quota: '64Mi' })}---
${onceDataLoadManifest('warm', 'models', ['/a', '/b/y.bin'], { replicas: 2 })}`;
}

test('Once DataLoad, two targets, replicas 2 on two workers: every block on both', { timeout: 180_000 }, async () => {
  const s3 = await startS3Server();
  cleanup.add('s3 server', () => s3.close());
  const bucket = await s3.createBucket();
  const objects: Record<string, number> = { 'a/x.bin': 3.5 * MiB, 'a/sub/w.bin': MiB, 'b/y.bin': 100 * 1024, 'b/other.bin': MiB, 'c/z.bin': MiB };
  for (const [key, size] of Object.entries(objects)) await s3.client.putObject(bucket, key, Buffer.alloc(size, key));

  const dir = await mkdtemp(join(tmpdir(), 'eddy-replicas-'));
  cleanup.add('temp dir', () => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'eddy.yaml'), manifests(bucket, s3));
  const mnt = join(dir, 'mnt');
  const dataDir = join(dir, 'state');
  const up = new EddyProcess(['up', '-f', join(dir, 'eddy.yaml'), '--mount', mnt, '--data-dir', dataDir, '--listen', '127.0.0.1:0']);
  cleanup.add('eddy up', async () => { await up.stop('SIGINT'); forceUnmount(mnt); });
  const address = (await up.waitForOutput(/master listening on (\S+)/, 30_000))[1]!;
  await up.waitForOutput(/Press Ctrl-C/, 60_000);
  assert.match(up.stdout, /^dataload\.data\.fluid\.io\/warm created$/m);
  const env = { EDDY_MASTER: address, EDDY_TOKEN_FILE: join(dataDir, 'admin-token') };

  // `get dataload NAME -w` follows a Once load to its end (plain lines: stdout is a pipe).
  const watch = await runEddy(['get', 'dataload', 'warm', '-w'], { env, timeoutMs: 90_000 });
  assert.equal(watch.code, 0, watch.stderr);
  assert.match(watch.stdout.trimEnd().split('\n').at(-1)!, /^warm Complete 100\.0% 4\.60MiB\/4\.60MiB 3\/3 files$/);

  const workersOut = await runEddy(['get', 'worker', '-o', 'json'], { env });
  assert.equal(workersOut.code, 0, workersOut.stderr);
  const workers = (JSON.parse(workersOut.stdout) as { items: { live: boolean; address: { workerId: string } }[] }).items;
  assert.equal(workers.length, 2);
  assert.ok(workers.every((w) => w.live));

  const rpc = createMasterClient(address, { token: readTokenFile(join(dataDir, 'admin-token')) });
  cleanup.add('master client', () => rpc.close());
  const holdersOf = async (path: string): Promise<string[][]> =>
    (await rpc.getBlockLocations({ dataset: 'models', path, version: '', offset: 0, length: 0 })).blocks.map((b) => b.holders.map((h) => h.workerId).sort());
  const ids = workers.map((w) => w.address.workerId).sort();
  // Heartbeats carry the block reports; give them a beat.
  await eventually('every targeted block on both workers', 20_000, async () => {
    for (const path of ['/a/x.bin', '/a/sub/w.bin', '/b/y.bin']) {
      const blocks = await holdersOf(path);
      assert.equal(blocks.length, Math.ceil(objects[path.slice(1)]! / MiB), path);
      for (const h of blocks) if (JSON.stringify(h) !== JSON.stringify(ids)) return undefined;
    }
    return true;
  });
  for (const path of ['/b/other.bin', '/c/z.bin']) {
    assert.ok((await holdersOf(path)).every((h) => h.length === 0), `${path} was not targeted`);
  }

  const stopped = await up.stop('SIGINT', 30_000);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.equal(await isMounted(mnt), false);
});

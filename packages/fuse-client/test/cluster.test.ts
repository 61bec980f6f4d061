// Through a real master, a real worker process and the S3 test server: byte-exact reads of edge
// sizes and a ~100 MiB file, concurrent readers, listings equal to the bucket, a same-size
// overwrite after refresh, the bucket down after a full load, and kill -9 of the only worker
// in the middle of a large read.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMasterClient, type MasterRpc } from '@eddy/protocol';
import { silentLogger } from '@eddy/core';
import { onceDataLoadManifest, s3DatasetManifests, startS3Server, waitFor, type S3Endpoint } from '@eddy/testkit';
import { mountDataset, type MountHandle } from '../src/index.js';
import { forceUnmount, nodeScript, sh, sha256, sha256Of } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const MASTER_PKG: string = '@eddy/master';
const MiB = 1 << 20;
const BS = MiB;
const TOKEN = 'cluster-test-token';

interface MasterModule {
  startMaster(o: Record<string, unknown>): Promise<{ address: string; close(): Promise<void> }>;
}

async function dropPageCache(): Promise<void> {
  await sh('sh', ['-c', 'sync; echo 3 > /proc/sys/vm/drop_caches']);
}

describe('fuse client over a real master, worker and S3 server', { timeout: 110_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'eddy-fuse-cluster-'));
  const mnt = join(root, 'mnt');
  const objects = new Map<string, Buffer>();
  let s3: S3Endpoint;
  let bucket: string;
  let master: { address: string; close(): Promise<void> } | undefined;
  let rpc: MasterRpc;
  let worker: ChildProcess | undefined;
  let mount: MountHandle | undefined;

  async function startWorkerProcess(): Promise<ChildProcess> {
    const child = spawn(process.execPath, [join(here, 'worker-child.js'), JSON.stringify({
      masterAddress: master!.address, runtime: 'models', listen: '127.0.0.1:0', token: TOKEN, hostId: 'worker-host', heartbeatIntervalMs: 500,
    })], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    const deadline = Date.now() + 30_000;
    while (!/ready /.test(out)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`worker did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (;;) {
      const res = await rpc.listWorkers({ runtime: 'models' });
      if (res.workers.some((w) => w.live)) break;
      if (Date.now() > deadline) throw new Error('worker never became live');
      await new Promise((r) => setTimeout(r, 100));
    }
    return child;
  }

  before(async () => {
    s3 = await startS3Server();
    bucket = await s3.createBucket();
    const sizes: Record<string, number> = {
      'empty.bin': 0, 'one.bin': 1, 'edge/bs-1.bin': BS - 1, 'edge/bs.bin': BS, 'edge/bs-plus-1.bin': BS + 1,
      'big/model-100m.bin': 100 * MiB + 4321, 'deep/a/b/c.txt': 1234, 'ow.bin': 3 * BS + 17,
    };
    for (const [key, size] of Object.entries(sizes)) {
      const data = randomBytes(size);
      objects.set(key, data);
      await s3.client.putObject(bucket, key, data, size);
    }
    const { startMaster } = (await import(MASTER_PKG)) as MasterModule;
    master = await startMaster({ listen: '127.0.0.1:0', dataDir: join(root, 'master'), token: TOKEN, logger: silentLogger(), heartbeatIntervalMs: 500, workerTimeoutMs: 3000 });
    rpc = createMasterClient(master.address, { token: TOKEN });
    await rpc.apply({ manifests: s3DatasetManifests(bucket, s3, { quota: '512Mi', fuseArgs: ['-okernel_cache', '-oro', '-oattr_timeout=60', '-oentry_timeout=60', '-onegative_timeout=60'] }) }, { timeoutMs: 30_000 });
    await rpc.refresh({ dataset: 'models' }, { timeoutMs: 30_000 });
    worker = await startWorkerProcess();
    mount = await mountDataset({
      masterAddress: master.address, dataset: 'models', mountpoint: mnt, token: TOKEN, directUfs: true, logger: silentLogger(),
      hostId: 'client-host', fuseOptions: ['attr_timeout=2,entry_timeout=2,negative_timeout=2'],
    });
  });

  after(async () => {
    await mount?.close();
    await forceUnmount(mnt);
    worker?.kill('SIGKILL');
    rpc?.close();
    await master?.close();
    await s3?.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('every file has the SHA-256 of its object (0, 1, block-1, block, block+1, ~100 MiB), cold then warm from the worker', async () => {
    for (const [key, data] of objects) assert.equal(await sha256Of(join(mnt, key)), sha256(data), `cold ${key}`);
    const cold = { ...mount!.readStats };
    assert.ok(cold.preferred > 0, `cold reads go through the preferred worker: ${JSON.stringify(cold)}`);
    // The worker reports what it cached with its next heartbeat: wait until the master lists it as
    // the holder of every block, so the warm pass is asked to read from the holder.
    await waitFor(async () => {
      for (const key of objects.keys()) {
        const loc = await rpc!.getBlockLocations({ dataset: 'models', path: `/${key}`, version: '', offset: 0, length: 0 });
        if (loc.blocks.some((b) => b.holders.length === 0)) return false;
      }
      return true;
    }, { timeoutMs: 20_000, intervalMs: 200, what: 'the master to list the worker as holder of every block' });
    await dropPageCache();
    for (const [key, data] of objects) assert.equal(await sha256Of(join(mnt, key)), sha256(data), `warm ${key}`);
    const warm = mount!.readStats;
    assert.ok(warm.worker - cold.worker >= 100, `warm reads come from the holder: ${JSON.stringify(warm)}`);
    assert.equal(warm.ufs, 0, JSON.stringify(warm));
  });

  test('8 concurrent readers', async () => {
    await dropPageCache();
    const keys = ['big/model-100m.bin', 'edge/bs-plus-1.bin', 'ow.bin', 'edge/bs-1.bin', 'deep/a/b/c.txt', 'edge/bs.bin', 'ow.bin', 'one.bin'];
    const sums = await Promise.all(keys.map(async (k) => await sha256Of(join(mnt, k))));
    keys.forEach((k, i) => assert.equal(sums[i], sha256(objects.get(k)!), k));
  });

  test('a client on the worker\'s host reads its block files directly (short-circuit)', async () => {
    const mnt2 = join(root, 'mnt-local');
    const local = await mountDataset({
      masterAddress: master!.address, dataset: 'models', mountpoint: mnt2, token: TOKEN, directUfs: true, logger: silentLogger(), hostId: 'worker-host',
    });
    try {
      for (const key of ['ow.bin', 'edge/bs-plus-1.bin']) assert.equal(await sha256Of(join(mnt2, key)), sha256(objects.get(key)!));
      assert.ok(local.readStats.local >= 30, JSON.stringify(local.readStats));
      assert.equal(local.readStats.ufs, 0);
    } finally {
      await local.close();
      await forceUnmount(mnt2);
    }
  });

  test('ls -lR of the mount equals the bucket listing', async () => {
    const ls = await sh('ls', ['-lR', mnt]);
    assert.equal(ls.code, 0, ls.stderr);
    const found = await sh('find', [mnt, '-type', 'f', '-printf', '%P %s\n']);
    const mounted = found.stdout.trim().split('\n').sort();
    const listed: string[] = [];
    for await (const o of s3.client.listObjectsV2(bucket, '', true) as AsyncIterable<{ name: string; size: number }>) listed.push(`${o.name} ${o.size}`);
    assert.deepEqual(mounted, listed.sort());
    for (const key of objects.keys()) assert.ok(ls.stdout.includes(key.split('/').pop()!), key);
  });

  test('the bucket down after a full load (a Once DataLoad of /): every cached file still reads correctly', async () => {
    await rpc.apply({ manifests: onceDataLoadManifest('full', 'models', ['/']) }, { timeoutMs: 30_000 });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await rpc.get({ kind: 'DataLoad', name: 'full' });
      const phase = res.resources[0]?.dataload?.status?.phase;
      if (phase === 'Complete') break;
      assert.notEqual(phase, 'Failed');
      assert.ok(Date.now() < deadline, `DataLoad still ${phase}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    await s3.stop();
    try {
      await dropPageCache();
      for (const [key, data] of objects) assert.equal(await sha256Of(join(mnt, key)), sha256(data), key);
    } finally {
      await s3.restart();
    }
  });

  test('a same-size overwrite: old bytes until refresh + attr timeout, then new; an older handle never mixes', async () => {
    const v1 = objects.get('ow.bin')!;
    const v2 = randomBytes(v1.length);
    const flag = join(root, 'ow-flag');
    const go = join(root, 'ow-go');
    const script = `
      import { openSync, readSync, writeFileSync, existsSync } from 'node:fs';
      import { createHash } from 'node:crypto';
      const [file, flag, go] = process.argv.slice(1);
      const fd = openSync(file, 'r');
      const buf = Buffer.alloc(${v1.length});
      let n = readSync(fd, buf, 0, 65536, 0);
      writeFileSync(flag, 'opened');
      while (!existsSync(go)) await new Promise((r) => setTimeout(r, 20));
      try {
        while (n < buf.length) { const k = readSync(fd, buf, n, Math.min(131072, buf.length - n), n); if (k === 0) break; n += k; }
        console.log('ok', n, createHash('sha256').update(buf.subarray(0, n)).digest('hex'));
      } catch (e) { console.log('err', e.code); }`;
    await dropPageCache();
    const child = nodeScript(script, [join(mnt, 'ow.bin'), flag, go]);
    while (!existsSync(flag)) await new Promise((r) => setTimeout(r, 20));
    await s3.client.putObject(bucket, 'ow.bin', v2, v2.length);
    // Not before the refresh: the master's listing still has v1.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await sha256Of(join(mnt, 'ow.bin')), sha256(v1));
    await rpc.refresh({ dataset: 'models' }, { timeoutMs: 30_000 });
    writeFileSync(go, '');
    const [kind, n, sum] = (await child).stdout.trim().split(' ');
    if (kind === 'ok') {
      assert.equal(Number(n), v1.length);
      assert.equal(sum, sha256(v1), 'a handle opened before the overwrite served bytes of another version');
    } else {
      assert.deepEqual([kind, n], ['err', 'EIO']);
    }
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await sha256Of(join(mnt, 'ow.bin')), sha256(v2), 'new bytes after refresh + attr timeout');
    objects.set('ow.bin', v2);
  });

  test('kill -9 of the only worker during a large read: the read finishes with the right checksum', async () => {
    await dropPageCache();
    const flag = join(root, 'kill-flag');
    const go = join(root, 'kill-go');
    const script = `
      import { openSync, readSync, writeFileSync, existsSync } from 'node:fs';
      import { createHash } from 'node:crypto';
      const [file, flag, go] = process.argv.slice(1);
      const fd = openSync(file, 'r');
      const h = createHash('sha256');
      const buf = Buffer.alloc(1 << 20);
      let pos = 0;
      for (;;) {
        const k = readSync(fd, buf, 0, buf.length, pos);
        if (k === 0) break;
        h.update(buf.subarray(0, k));
        pos += k;
        if (pos >= 16 << 20 && !existsSync(flag)) {
          writeFileSync(flag, '');
          while (!existsSync(go)) await new Promise((r) => setTimeout(r, 20));
        }
      }
      console.log(pos, h.digest('hex'));`;
    const child = nodeScript(script, [join(mnt, 'big/model-100m.bin'), flag, go], 90_000);
    while (!existsSync(flag)) await new Promise((r) => setTimeout(r, 20));
    const before = { ...mount!.readStats };
    worker!.kill('SIGKILL');
    await new Promise((r) => worker!.once('exit', r));
    writeFileSync(go, '');
    const res = await child;
    const [n, sum] = res.stdout.trim().split(' ');
    assert.equal(Number(n), objects.get('big/model-100m.bin')!.length, res.stderr);
    assert.equal(sum, sha256(objects.get('big/model-100m.bin')!));
    assert.ok(mount!.readStats.ufs > before.ufs, `the rest came from the bucket: ${JSON.stringify(mount!.readStats)}`);
  });
});

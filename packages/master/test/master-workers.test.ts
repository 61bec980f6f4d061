import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, mkdir, writeFile, appendFile, stat, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blockKey, silentLogger, UnauthenticatedError, NotFoundError, VersionMismatchError } from '@eddy/core';
import { createMasterClient, type proto } from '@eddy/protocol';
import { waitFor } from '@eddy/testkit';
import { startMaster, type MasterHandle } from '../src/index.js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { FakeWorker } from './fake-worker.js';

const TOKEN = 'cluster-token-for-tests';
const SECRET_VALUE = 'super-secret-value-9f3a';
const MiB = 1024 * 1024;

function manifests(ufsDir: string): string {
  return `
apiVersion: v1
kind: Secret
metadata:
  name: creds
stringData:
  fs.s3.accessKeySecret: ${SECRET_VALUE}
---
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata:
  name: demo
spec:
  mounts:
    - mountPoint: file://${ufsDir}
      name: local
      path: /
      encryptOptions:
        - name: fs.s3.accessKeySecret
          valueFrom:
            secretKeyRef:
              name: creds
              key: fs.s3.accessKeySecret
  accessModes:
    - ReadOnlyMany
---
apiVersion: data.fluid.io/v1alpha1
kind: JindoRuntime
metadata:
  name: demo
spec:
  replicas: 3
  blockSize: 1Mi
  tieredstore:
    levels:
      - mediumtype: MEM
        path: /dev/shm
        quota: 1Gi
        high: "0.99"
        low: "0.8"
  fuse:
    args:
      - -okernel_cache
      - -oro
`;
}

async function start(dataDir: string): Promise<MasterHandle> {
  // No grace for replaced versions: this file checks that they are freed (master-holds.test.ts checks the grace).
  return await startMaster({
    listen: '127.0.0.1:0', dataDir, token: TOKEN, logger: silentLogger(), heartbeatIntervalMs: 100, workerTimeoutMs: 1000,
    maxReplacedVersionGraceMs: 0,
  });
}

test('master: register, heartbeat, placement, status, lost worker, restart, stale versions', { timeout: 60_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'eddy-master-'));
  const ufsDir = join(root, 'ufs');
  const dataDir = join(root, 'data');
  await mkdir(join(ufsDir, 'sub'), { recursive: true });
  await writeFile(join(ufsDir, 'a.txt'), Buffer.alloc(1000, 1));
  await writeFile(join(ufsDir, 'sub', 'b.bin'), Buffer.alloc(3 * MiB - 5, 2));
  let master = await start(dataDir);
  let cli = createMasterClient(master.address, { token: TOKEN });
  const workers: FakeWorker[] = [];
  try {
    const applied = await cli.apply({ manifests: manifests(ufsDir) });
    assert.deepEqual(applied.results.map((r) => `${r.kind}/${r.name}/${r.action}`), ['Secret/creds/created', 'Dataset/demo/created', 'JindoRuntime/demo/created']);
    const again = await cli.apply({ manifests: manifests(ufsDir) });
    assert.ok(again.results.every((r) => r.action === 'unchanged'));

    // Secret values never come back from Get; GetMounts substitutes them only when asked (admin here, workers always).
    const secret = (await cli.get({ kind: 'secret', name: 'creds' })).resources;
    assert.ok(!JSON.stringify(secret).includes(SECRET_VALUE));
    assert.ok(secret[0]?.secret?.keys.includes('fs.s3.accessKeySecret'));
    const plain = await cli.getMounts({ dataset: 'demo' });
    assert.equal(plain.mounts[0]?.options['fs.s3.accessKeySecret'], undefined);
    assert.equal(plain.credentialsWithheld, true);
    const mounts = await cli.getMounts({ dataset: 'demo', withCredentials: true });
    assert.equal(mounts.mounts[0]?.options['fs.s3.accessKeySecret'], SECRET_VALUE);
    assert.equal(mounts.blockSize, MiB);
    assert.equal(mounts.accessMode, 'ReadOnlyMany');
    assert.deepEqual(mounts.fuseArgs, ['-okernel_cache', '-oro']);
    // Secrets are persisted only in the 0600 journal.
    assert.equal((await stat(join(dataDir, 'journal.log'))).mode & 0o777, 0o600);

    // Namespace: stat/list served from the file UFS listing.
    const b = (await cli.stat({ dataset: 'demo', path: '/sub/b.bin' })).info;
    assert.equal(b?.size, 3 * MiB - 5);
    assert.equal((await cli.stat({ dataset: 'demo', path: '/sub' })).info?.isDir, true);
    await assert.rejects(cli.stat({ dataset: 'demo', path: '/nope' }), NotFoundError);
    const rootList = await cli.list({ dataset: 'demo', path: '/', pageToken: '', pageSize: 0 });
    assert.deepEqual(rootList.entries.map((e) => `${e.path}:${e.isDir}`), ['/a.txt:false', '/sub:true']);

    const datasetStatus = async (): Promise<proto.DatasetStatus__Output> => {
      const status = (await cli.get({ kind: 'dataset', name: 'demo' })).resources[0]?.dataset?.status;
      assert.ok(status, 'dataset demo has a status');
      return status;
    };
    let ds = await datasetStatus();
    assert.equal(ds.phase, 'NotBound');
    assert.equal(ds.ufsTotalBytes, 3 * MiB - 5 + 1000);
    assert.equal(ds.fileNum, 2);

    // Three workers; w1 holds block 0 of b.bin, w2 holds a.txt.
    for (const id of ['w1', 'w2', 'w3']) workers.push(new FakeWorker(id, 'demo', master.address, TOKEN));
    const [w1, w2, w3] = workers as [FakeWorker, FakeWorker, FakeWorker];
    const bVersion = b?.version ?? '';
    const aVersion = (await cli.stat({ dataset: 'demo', path: '/a.txt' })).info?.version ?? '';
    const kb0 = blockKey('demo', '/sub/b.bin', bVersion, 0, MiB);
    const ka = blockKey('demo', '/a.txt', aVersion, 0, MiB);
    w1.blocks.add(kb0);
    const reg = await w1.register();
    assert.equal(reg.heartbeatIntervalMs, 100);
    assert.ok(reg.runtime && reg.runtime.tiers.length > 0 && reg.runtime.blockSize > 0, 'the Runtime travels typed');
    await w2.register();
    await w3.register();
    for (const w of workers) w.start(100);
    w2.add(ka);
    await waitFor(async () => (await cli.getBlockLocations({ dataset: 'demo', path: '/a.txt', version: '', offset: 0, length: 0 })).blocks[0]?.holders.length === 1, { timeoutMs: 3000, what: 'a.txt held' });

    const locs = await cli.getBlockLocations({ dataset: 'demo', path: '/sub/b.bin', version: '', offset: 0, length: 0 });
    assert.equal(locs.blockSize, MiB);
    assert.deepEqual(locs.blocks.map((x) => [x.index, x.length]), [[0, MiB], [1, MiB], [2, MiB - 5]]);
    assert.deepEqual(locs.blocks[0]?.holders.map((h) => h.workerId), ['w1']);
    assert.equal(locs.blocks[0]?.key, kb0);
    // A restarting worker first asks for its tiers with no address (start-worker.ts): it gets them,
    // and its record (address, blocks, liveness) stays as it was until the real registration.
    const asked = await w1.client.registerWorker({
      workerId: 'w1', runtime: 'demo', address: { workerId: 'w1', hostId: 'host-a', grpcAddress: '', dataAddress: '' }, tiers: [], blockKeys: [],
    });
    assert.ok(asked.runtime && asked.runtime.tiers.length > 0, 'the tiers, for a worker with no address yet');
    const after = await cli.getBlockLocations({ dataset: 'demo', path: '/sub/b.bin', version: '', offset: 0, length: 0 });
    assert.deepEqual(after.blocks[0]?.holders.map((h) => [h.workerId, h.dataAddress]), [['w1', w1.address().dataAddress]], 'still held, at its address');
    const w1Listed = (await cli.listWorkers({ runtime: 'demo' })).workers.find((w) => w.address?.workerId === 'w1');
    assert.equal(w1Listed?.address?.dataAddress, w1.address().dataAddress);
    assert.equal(w1Listed?.live, true);
    for (const blk of locs.blocks) assert.ok(['w1', 'w2', 'w3'].includes(blk.preferred?.workerId ?? ''));
    // The same block gets the same preferred worker from another client.
    const cli2 = createMasterClient(master.address, { token: TOKEN });
    const locs2 = await cli2.getBlockLocations({ dataset: 'demo', path: '/sub/b.bin', version: '', offset: MiB, length: 10 });
    cli2.close();
    assert.equal(locs2.blocks.length, 1);
    assert.equal(locs2.blocks[0]?.preferred?.workerId, locs.blocks[1]?.preferred?.workerId);
    await assert.rejects(cli.getBlockLocations({ dataset: 'demo', path: '/sub/b.bin', version: 'old-etag', offset: 0, length: 0 }), VersionMismatchError);
    // A listing that asks for locations carries the first blocks of each file, as GetBlockLocations gives them.
    const plainList = await cli.list({ dataset: 'demo', path: '/', pageToken: '', pageSize: 0 });
    assert.deepEqual(plainList.located, [], 'not asked, not located');
    const located = await cli.list({ dataset: 'demo', path: '/sub', pageToken: '', pageSize: 0, locateBlocks: 2 });
    assert.equal(located.blockSize, MiB);
    assert.deepEqual(located.located.map((f) => f.path), ['/sub/b.bin']);
    assert.deepEqual(located.located[0]?.blocks, locs.blocks.slice(0, 2));
    const rootLocated = await cli.list({ dataset: 'demo', path: '/', pageToken: '', pageSize: 0, locateBlocks: 8 });
    assert.deepEqual(rootLocated.located.map((f) => [f.path, f.blocks.length, f.blocks[0]?.holders.map((h) => h.workerId)]), [['/a.txt', 1, ['w2']]],
      'directories carry none; a file as many blocks as it has');

    ds = await datasetStatus();
    assert.equal(ds.phase, 'Bound');
    assert.equal(ds.cachedBytes, MiB + 1000);
    assert.equal(ds.cacheCapacityBytes, 3 * 1024 ** 3);
    assert.equal(ds.cacheCapacity, '3.00GiB');
    // Hit ratios come from the bytes clients read (ReportReads), never from the workers' counters
    // (the fake workers report 3 hits and 1 miss each); a report for an unknown dataset is ignored.
    assert.equal(ds.cacheHitRatio, 0);
    await cli.reportReads({ clientId: 'mount-1', reads: [
      { dataset: 'demo', localBytes: 600, remoteBytes: 150, ufsBytes: 250 }, { dataset: 'nope', localBytes: 1, remoteBytes: 0, ufsBytes: 0 },
    ] });
    ds = await datasetStatus();
    assert.equal(ds.cacheHitRatio, 0.75);
    assert.equal(ds.cacheHitRatioPercentage, '75.0%');
    assert.equal(ds.localHitRatio, 0.6);
    assert.equal(ds.remoteHitRatio, 0.15);
    assert.equal(ds.hitRatioWindowSeconds, 60);
    assert.deepEqual([ds.bytesReadLocal, ds.bytesReadRemote, ds.bytesReadUfs], [600, 150, 250]);
    const exported = await master.core.metrics.registry.metrics();
    assert.match(exported, /^eddy_master_read_bytes_total\{dataset="demo",source="local"\} 600$/m);
    assert.doesNotMatch(exported, /nope/);

    // w2 goes silent: after the 1 s timeout it is lost and its blocks leave the map.
    w2.stop();
    const silentAt = Date.now();
    await waitFor(async () => (await cli.getBlockLocations({ dataset: 'demo', path: '/a.txt', version: '', offset: 0, length: 0 })).blocks[0]?.holders.length === 0, { timeoutMs: 4000, what: 'w2 blocks gone' });
    assert.ok(Date.now() - silentAt < 2500, 'lost within about the timeout');
    const listed = await cli.listWorkers({ runtime: 'demo' });
    assert.deepEqual(listed.workers.map((w) => `${w.address?.workerId}:${w.live}`), ['w1:true', 'w2:false', 'w3:true']);
    const preferredNow = (await cli.getBlockLocations({ dataset: 'demo', path: '/sub/b.bin', version: '', offset: 0, length: 0 })).blocks;
    for (const blk of preferredNow) assert.notEqual(blk.preferred?.workerId, 'w2');
    // A lost worker that speaks again is told to re-register, and is live again afterwards.
    const hb = await w2.heartbeatOnce();
    assert.equal(hb.reregister, true);
    w2.start(100);
    await waitFor(async () => (await cli.getBlockLocations({ dataset: 'demo', path: '/a.txt', version: '', offset: 0, length: 0 })).blocks[0]?.holders.length === 1, { timeoutMs: 3000, what: 'w2 back' });

    // Restart the master on the same dataDir: manifests come back, workers re-register, status returns.
    cli.close();
    await master.close();
    await master.close();
    for (const w of workers) { w.stop(); w.client.close(); }
    workers.length = 0;
    master = await start(dataDir);
    cli = createMasterClient(master.address, { token: TOKEN });
    const nw1 = new FakeWorker('w1', 'demo', master.address, TOKEN);
    nw1.blocks.add(kb0);
    workers.push(nw1);
    const first = await nw1.heartbeatOnce();
    assert.equal(first.reregister, true, 'unknown worker after restart is told to reregister');
    assert.equal(nw1.reregisterCount, 1);
    nw1.start(100);
    const got = (await cli.get({ kind: 'dataset', name: '' })).resources;
    assert.deepEqual(got.map((g) => g.metadata?.name), ['demo']);
    assert.ok(!JSON.stringify((await cli.get({ kind: 'secret', name: '' })).resources).includes(SECRET_VALUE));
    await waitFor(async () => {
      const d = await datasetStatus();
      return d.phase === 'Bound' && d.cachedBytes === MiB && d.fileNum === 2;
    }, { timeoutMs: 5000, what: 'status back after restart' });
    // The only live worker is every block's preferred one, in a List as in GetBlockLocations.
    const alone = await cli.list({ dataset: 'demo', path: '/sub', pageToken: '', pageSize: 0, locateBlocks: 4 });
    const aloneBlocks = alone.located[0]?.blocks ?? [];
    assert.deepEqual(aloneBlocks.map((b) => [b.index, b.preferred?.workerId, b.holders.map((h) => h.workerId)]), [[0, 'w1', ['w1']], [1, 'w1', []], [2, 'w1', []]]);
    assert.deepEqual(aloneBlocks, (await cli.getBlockLocations({ dataset: 'demo', path: '/sub/b.bin', version: '', offset: 0, length: 0 })).blocks);

    // The object changes: after a refresh, the worker is told to free the old version's block.
    await appendFile(join(ufsDir, 'sub', 'b.bin'), 'more');
    const r = await cli.refresh({ dataset: 'demo' });
    assert.equal(r.files, 2);
    await waitFor(() => nw1.freed.includes(kb0), { timeoutMs: 3000, what: 'old block freed' });
    const d2 = await datasetStatus();
    assert.equal(d2.cachedBytes, 0, 'an old version never counts as cached');
    assert.equal(d2.cachedPercentage, '0.0%');

    // Delete: the dataset is gone.
    assert.equal((await cli.delete({ kind: 'dataset', name: 'demo' })).deleted, true);
    await assert.rejects(cli.get({ kind: 'dataset', name: 'demo' }), NotFoundError);
    assert.ok((await readFile(join(dataDir, 'journal.log'))).length > 0);
  } finally {
    for (const w of workers) w.close();
    cli.close();
    await master.close();
    await rm(root, { recursive: true, force: true });
  }
});

test('master: wrong or missing token is rejected', { timeout: 20_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'eddy-master-'));
  const master = await start(join(root, 'data'));
  const wrong = createMasterClient(master.address, { token: 'nope' });
  const none = createMasterClient(master.address, { token: '' });
  const good = createMasterClient(master.address, { token: TOKEN });
  try {
    await assert.rejects(wrong.listWorkers({ runtime: '' }), UnauthenticatedError);
    await assert.rejects(none.apply({ manifests: 'x' }), UnauthenticatedError);
    await assert.rejects(wrong.registerWorker({ workerId: 'w', runtime: 'r' }), UnauthenticatedError);
    assert.deepEqual((await good.listWorkers({ runtime: '' })).workers, []);
  } finally {
    wrong.close(); none.close(); good.close();
    await master.close();
    await rm(root, { recursive: true, force: true });
  }
});

test('master: a worker process killed with SIGKILL leaves block locations within the timeout', { timeout: 30_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'eddy-master-'));
  const ufsDir = join(root, 'ufs');
  await mkdir(join(ufsDir, 'sub'), { recursive: true });
  await writeFile(join(ufsDir, 'a.txt'), Buffer.alloc(1000, 1));
  const master = await start(join(root, 'data'));
  const cli = createMasterClient(master.address, { token: TOKEN });
  const script = fileURLToPath(new URL('./fake-worker-main.js', import.meta.url));
  const procs: ReturnType<typeof spawn>[] = [];
  try {
    await cli.apply({ manifests: manifests(ufsDir) });
    const info = (await cli.stat({ dataset: 'demo', path: '/a.txt' })).info;
    const key = blockKey('demo', '/a.txt', info?.version ?? '', 0, MiB);
    for (const id of ['p1', 'p2']) {
      const child = spawn(process.execPath, [script, master.address, TOKEN, id, 'demo', key], { stdio: ['ignore', 'pipe', 'inherit'] });
      procs.push(child);
      const [line] = await once(child.stdout!, 'data') as [Buffer];
      assert.match(line.toString(), /ready/);
    }
    const holders = async (): Promise<string[]> =>
      ((await cli.getBlockLocations({ dataset: 'demo', path: '/a.txt', version: '', offset: 0, length: 0 })).blocks[0]?.holders ?? []).map((h) => h.workerId).sort();
    assert.deepEqual(await holders(), ['p1', 'p2']);
    const killedAt = Date.now();
    procs[0]!.kill('SIGKILL');
    await waitFor(async () => (await holders()).join() === 'p2', { timeoutMs: 5000, what: 'p1 gone from locations' });
    const elapsed = Date.now() - killedAt;
    assert.ok(elapsed >= 700 && elapsed < 2500, `lost after ${elapsed} ms (timeout 1000 ms)`);
    // The survivor stays live throughout.
    const ws = await cli.listWorkers({ runtime: 'demo' });
    assert.deepEqual(ws.workers.map((w) => `${w.address?.workerId}:${w.live}`), ['p1:false', 'p2:true']);
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    cli.close();
    await master.close();
    await rm(root, { recursive: true, force: true });
  }
});

test('master: restarts over a journal with a torn tail, keeping every complete record', { timeout: 30_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'eddy-master-'));
  const ufsDir = join(root, 'ufs');
  const dataDir = join(root, 'data');
  await mkdir(ufsDir, { recursive: true });
  await writeFile(join(ufsDir, 'a.txt'), 'hello');
  let master = await start(dataDir);
  let cli = createMasterClient(master.address, { token: TOKEN });
  try {
    await cli.apply({ manifests: manifests(ufsDir) });
    cli.close();
    await master.close();
    // A crash mid-append: half a record header and some body bytes.
    await appendFile(join(dataDir, 'journal.log'), Buffer.from([0, 0, 1, 0, 0xde, 0xad, 0xbe, 0xef, 123, 34]));
    master = await start(dataDir);
    cli = createMasterClient(master.address, { token: TOKEN });
    const kinds = await Promise.all(['secret', 'dataset', 'runtime'].map(async (k) => (await cli.get({ kind: k, name: '' })).resources.length));
    assert.deepEqual(kinds, [1, 1, 1]);
    const again = await cli.apply({ manifests: manifests(ufsDir) });
    assert.ok(again.results.every((r) => r.action === 'unchanged'));
    await waitFor(async () => (await cli.stat({ dataset: 'demo', path: '/a.txt' })).info?.size === 5, { timeoutMs: 5000, what: 'namespace back' });
  } finally {
    cli.close();
    await master.close();
    await rm(root, { recursive: true, force: true });
  }
});

// The master keeps the blocks of a replaced version while a mount holds it open (HoldVersions),
// pins them on their workers, locates them for the handle that reads them, and frees them when
// the mount releases the version, its lease expires, or (held by nobody) its grace period ends.
// A real master over a file:// bucket, with fake workers (master gRPC clients).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blockKey, silentLogger, VersionMismatchError } from '@eddy/core';
import { createMasterClient, type MasterRpc } from '@eddy/protocol';
import { waitFor } from '@eddy/testkit';
import { startMaster, type MasterHandle } from '../src/index.js';
import { FakeWorker } from './fake-worker.js';

const TOKEN = 'holds-token';
const MiB = 1024 * 1024;
const GRACE_MS = 1500;

function manifests(ufsDir: string): string {
  return `
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: demo}
spec:
  mounts: [{mountPoint: "file://${ufsDir}", path: /}]
---
apiVersion: data.fluid.io/v1alpha1
kind: JindoRuntime
metadata: {name: demo}
spec:
  replicas: 1
  blockSize: 1Mi
  tieredstore:
    levels: [{mediumtype: MEM, path: /dev/shm, quota: 1Gi}]
`;
}

interface Setup {
  master: MasterHandle;
  cli: MasterRpc;
  worker: FakeWorker;
  ufsDir: string;
  close(): Promise<void>;
}

async function setup(leaseMs: number): Promise<Setup> {
  const root = await mkdtemp(join(tmpdir(), 'eddy-holds-'));
  const ufsDir = join(root, 'ufs');
  await mkdir(ufsDir);
  await writeFile(join(ufsDir, 'm.bin'), Buffer.alloc(MiB + 10, 1));
  const master = await startMaster({
    listen: '127.0.0.1:0', dataDir: join(root, 'master'), token: TOKEN, logger: silentLogger(),
    heartbeatIntervalMs: 100, workerTimeoutMs: 2000, versionLeaseMs: leaseMs, maxReplacedVersionGraceMs: GRACE_MS,
  });
  const cli = createMasterClient(master.address, { token: TOKEN });
  await cli.apply({ manifests: manifests(ufsDir) });
  await cli.refresh({ dataset: 'demo' });
  const worker = new FakeWorker('w1', 'demo', master.address, TOKEN);
  return {
    master, cli, worker, ufsDir,
    async close() {
      worker.close();
      cli.close();
      await master.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The current version of /m.bin and its two block keys; the worker holds both. */
async function cached(s: Setup): Promise<{ version: string; size: number; keys: string[] }> {
  const info = (await s.cli.stat({ dataset: 'demo', path: '/m.bin' })).info!;
  const keys = [0, 1].map((i) => blockKey('demo', '/m.bin', info.version, i, MiB));
  for (const k of keys) s.worker.add(k);
  await s.worker.register();
  s.worker.start(100);
  return { version: info.version, size: Number(info.size), keys };
}

test('a held version\'s blocks stay, pinned, across a replacement until released; located for its handle', {
  timeout: 30_000,
}, async () => {
  const s = await setup(30_000);
  try {
    const old = await cached(s);
    const res = await s.cli.holdVersions({
      dataset: 'demo', clientId: 'mount-1', files: [{ path: '/m.bin', version: old.version, size: old.size, isDir: false }],
    });
    assert.equal(res.leaseMs, 30_000);
    await waitFor(() => old.keys.every((k) => s.worker.pinned.has(k)), { timeoutMs: 3000, what: 'held blocks pinned on the worker' });

    await appendFile(join(s.ufsDir, 'm.bin'), 'new bytes');
    await s.cli.refresh({ dataset: 'demo' });
    // Past the grace period: only the hold keeps them.
    await new Promise((r) => setTimeout(r, GRACE_MS + 1500));
    assert.deepEqual(s.worker.freed, [], 'a held version is not freed');
    const pinned = { dataset: 'demo', path: '/m.bin', version: old.version, offset: 0, length: 0 };
    const locs = await s.cli.getBlockLocations({ ...pinned, size: old.size });
    assert.deepEqual(locs.blocks.map((b) => b.key), old.keys, 'the old version is located by the size the handle gives');
    assert.deepEqual(locs.blocks.map((b) => b.holders.map((h) => h.workerId)), [['w1'], ['w1']]);
    await assert.rejects(
      s.cli.getBlockLocations({ ...pinned, size: 0 }),
      VersionMismatchError, 'without a size, a version that is no longer current is refused as before',
    );

    await s.cli.holdVersions({ dataset: 'demo', clientId: 'mount-1', files: [] });
    await waitFor(() => old.keys.every((k) => s.worker.freed.includes(k)), { timeoutMs: 3000, what: 'released: the old blocks freed' });
    await waitFor(() => s.worker.pinned.size === 0, { timeoutMs: 3000, what: 'and unpinned' });
  } finally {
    await s.close();
  }
});

test('held by nobody, a replaced version stays for the grace period; a lease not renewed expires', { timeout: 30_000 }, async () => {
  const s = await setup(800);
  try {
    const old = await cached(s);
    const files = [{ path: '/m.bin', version: old.version, size: old.size, isDir: false }];
    await s.cli.holdVersions({ dataset: 'demo', clientId: 'mount-gone', files });
    await appendFile(join(s.ufsDir, 'm.bin'), 'new bytes');
    const replacedAt = Date.now();
    await s.cli.refresh({ dataset: 'demo' });
    const freed = (): boolean => old.keys.every((k) => s.worker.freed.includes(k));
    await waitFor(freed, { timeoutMs: 8000, what: 'old blocks freed once lease and grace are over' });
    const after = Date.now() - replacedAt;
    assert.ok(after >= GRACE_MS - 200, `kept for the grace period (freed after ${after} ms)`);
  } finally {
    await s.close();
  }
});

// The DataLoad controller wired into a real master: workers are a Worker gRPC server (answers
// LoadBlocks/FreeBlocks) plus a heartbeating master client. A Once load caches the dataset,
// status reports 100.0%, and the DataLoad's status survives a master restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Authenticator, bindServer, createMasterClient, createRpcServer, loadEddyProto, wrapService, WORKER_RPC_ROLES, type proto } from '@eddy/protocol';
import { silentLogger } from '@eddy/core';
import { waitFor } from '@eddy/testkit';
import { startMaster } from '../src/index.js';
import { FakeWorker } from './fake-worker.js';

const TOKEN = 'dl-token';
const MiB = 1024 * 1024;

async function fakeWorkerServer(id: string, masterAddress: string): Promise<{ worker: FakeWorker; loaded: string[]; close(): void }> {
  const { worker: workerProto } = loadEddyProto();
  const server = createRpcServer();
  const loaded: string[] = [];
  const ref: { fw?: FakeWorker } = {};
  server.addService(workerProto.eddy.v1.Worker.service, wrapService({
    loadBlocks: async (req: proto.LoadBlocksRequest__Output): Promise<proto.LoadBlocksResponse> => ({
      results: req.blocks.map((b) => {
        loaded.push(b.key);
        ref.fw?.add(b.key);
        const len = Math.min(Number(b.blockSize), Number(b.fileSize) - b.index * Number(b.blockSize));
        return { key: b.key, ok: true, errorCode: '', errorMessage: '', bytesFetched: len };
      }),
    }),
    freeBlocks: async (req: proto.FreeBlocksRequest__Output): Promise<proto.FreeBlocksResponse> => ({ freed: req.keys.length }),
    getStats: async (): Promise<proto.GetStatsResponse> => ({ blockCount: loaded.length }),
  }, { authenticator: Authenticator.fromCredentials({ worker: [{ token: TOKEN }] }), roles: WORKER_RPC_ROLES }, silentLogger()));
  const port = await bindServer(server, '127.0.0.1:0', { token: TOKEN });
  const fw = new FakeWorker(id, 'demo', masterAddress, TOKEN, 1024 ** 3, `127.0.0.1:${port}`);
  ref.fw = fw;
  return { worker: fw, loaded, close: () => { fw.close(); server.forceShutdown(); } };
}

test('master + DataLoad controller: a Once load caches every block; status is exact and persisted', { timeout: 60_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'eddy-dl-'));
  const ufsDir = join(root, 'ufs');
  await mkdir(join(ufsDir, 'models'), { recursive: true });
  await writeFile(join(ufsDir, 'RELEASENOTES.md'), Buffer.alloc(603_033, 7)); // 588.90KiB
  await writeFile(join(ufsDir, 'models', 'w.bin'), Buffer.alloc(2 * MiB + 17, 3));
  const total = 603_033 + 2 * MiB + 17;
  const opts = { listen: '127.0.0.1:0', dataDir: join(root, 'data'), token: TOKEN, logger: silentLogger(), heartbeatIntervalMs: 100, workerTimeoutMs: 1000 };
  let master = await startMaster(opts);
  let cli = createMasterClient(master.address, { token: TOKEN });
  const workers = [await fakeWorkerServer('w1', master.address), await fakeWorkerServer('w2', master.address)];
  try {
    await cli.apply({ manifests: `
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata:
  name: demo
spec:
  mounts:
    - mountPoint: file://${ufsDir}
      name: demo
---
apiVersion: data.fluid.io/v1alpha1
kind: JindoRuntime
metadata:
  name: demo
spec:
  replicas: 2
  blockSize: 1Mi
  tieredstore:
    levels:
      - mediumtype: MEM
        path: /dev/shm
        quota: 2Gi
        high: "0.99"
        low: "0.8"
` });
    for (const w of workers) { await w.worker.register(); w.worker.start(100); }
    const datasetStatus = async (): Promise<proto.DatasetStatus__Output | null | undefined> =>
      (await cli.get({ kind: 'dataset', name: 'demo' })).resources[0]?.dataset?.status;
    const dataLoadPhase = async (): Promise<string | undefined> =>
      (await cli.get({ kind: 'dataload', name: 'warm' })).resources[0]?.dataload?.status?.phase;
    const before = await datasetStatus();
    assert.equal(before?.ufsTotal, '2.58MiB');
    assert.equal(before?.cached, '0.00B');
    assert.equal(before?.cacheCapacity, '2.00GiB'); // two workers reporting 1 GiB tiers
    assert.equal(before?.cachedPercentage, '0.0%');
    assert.equal(before?.phase, 'Bound');

    await cli.apply({ manifests: `
apiVersion: data.fluid.io/v1alpha1
kind: DataLoad
metadata:
  name: warm
spec:
  dataset:
    name: demo
    namespace: default
` });
    const phase = await waitFor(async () => {
      const p = await dataLoadPhase();
      return p === 'Complete' ? p : undefined;
    }, { timeoutMs: 20_000, what: 'DataLoad Complete' });
    assert.equal(phase, 'Complete');
    // 1 block of the notes + 3 blocks of w.bin, each loaded once (replicas 1), on its preferred worker.
    assert.equal(workers[0]!.loaded.length + workers[1]!.loaded.length, 4);
    const after = await datasetStatus();
    assert.equal(after?.cachedBytes, total);
    assert.equal(after?.cachedPercentage, '100.0%');
    assert.equal(after?.cached, '2.58MiB');
    const locs = await cli.getBlockLocations({ dataset: 'demo', path: '/models/w.bin', version: '', offset: 0, length: 0 });
    for (const b of locs.blocks) assert.deepEqual(b.holders.map((h) => h.workerId), [b.preferred?.workerId]);

    // Restart: the DataLoad and its status come back from the journal; placement is rebuilt from re-registration.
    cli.close();
    await master.close();
    for (const w of workers) w.worker.stop();
    master = await startMaster({ ...opts, listen: opts.listen });
    cli = createMasterClient(master.address, { token: TOKEN });
    assert.equal(await dataLoadPhase(), 'Complete');
    const again = [await fakeWorkerServer('w1', master.address), await fakeWorkerServer('w2', master.address)];
    again.forEach((w, i) => { for (const k of workers[i]!.worker.blocks) w.worker.blocks.add(k); });
    for (const w of workers) w.close();
    workers.splice(0, workers.length, ...again);
    for (const w of workers) { await w.worker.register(); w.worker.start(100); }
    await waitFor(async () => (await datasetStatus())?.cachedPercentage === '100.0%', { timeoutMs: 10_000, what: 'cached 100% after restart' });
  } finally {
    for (const w of workers) w.close();
    cli.close();
    await master.close();
    await rm(root, { recursive: true, force: true });
  }
});

// The master serves its status page on --http-listen: the JSON snapshot carries datasets (with the
// hit ratios clients reported), workers and DataLoads; off loopback the page needs the token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, ValidationError } from '@eddy/core';
import { createMasterClient } from '@eddy/protocol';
import type { StatusSnapshot } from '@eddy/status-page';
import { startMaster } from '../src/index.js';

const TOKEN = 'status-page-token';

const manifests = (dir: string): string => `
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: { name: demo }
spec:
  mounts: [{ mountPoint: "file://${dir}", name: local, path: / }]
---
apiVersion: data.fluid.io/v1alpha1
kind: JindoRuntime
metadata: { name: demo }
spec:
  replicas: 1
  tieredstore: { levels: [{ mediumtype: MEM, path: /dev/shm, quota: 1Gi, high: "0.9", low: "0.7" }] }
`;

test('the status page: snapshot from the master\'s state, served on --http-listen', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'eddy-status-page-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, 'ufs'));
  await writeFile(join(root, 'ufs', 'a.bin'), Buffer.alloc(4096, 7));
  const master = await startMaster({ listen: '127.0.0.1:0', httpListen: '127.0.0.1:0', dataDir: join(root, 'data'), token: TOKEN, logger: silentLogger() });
  t.after(() => master.close());
  const cli = createMasterClient(master.address, { token: TOKEN });
  t.after(() => cli.close());
  await cli.apply({ manifests: manifests(join(root, 'ufs')) });
  await cli.reportReads({ clientId: 'c1', reads: [{ dataset: 'demo', localBytes: 3000, remoteBytes: 0, ufsBytes: 1000 }] });

  assert.ok(master.httpAddress);
  const page = await fetch(`http://${master.httpAddress}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<script src="status\.js"/);
  const snap = await (await fetch(`http://${master.httpAddress}/api/status`)).json() as StatusSnapshot;
  assert.equal(snap.datasets.length, 1);
  const d = snap.datasets[0]!;
  assert.equal(d.name, 'demo');
  assert.equal(d.ufsTotalBytes, 4096);
  assert.equal(d.files, 1);
  assert.equal(d.cacheHitRatio, 0.75);
  assert.equal(d.localHitRatio, 0.75);
  assert.equal(d.hitRatioWindowSeconds, 60);
  assert.deepEqual(snap.workers, []);
  assert.deepEqual(snap.dataloads, []);
});

test('a status page off loopback needs the cluster token', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'eddy-status-page-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await assert.rejects(startMaster({ listen: '127.0.0.1:0', httpListen: '0.0.0.0:0', dataDir: join(root, 'a'), token: '', logger: silentLogger() }),
    (err: unknown) => err instanceof ValidationError && /--http-listen/.test(err.message));
  const master = await startMaster({ listen: '127.0.0.1:0', httpListen: '0.0.0.0:0', dataDir: join(root, 'b'), token: TOKEN, logger: silentLogger() });
  t.after(() => master.close());
  const url = `http://127.0.0.1:${master.httpAddress!.split(':').at(-1)}/api/status`;
  assert.equal((await fetch(url)).status, 401);
  assert.equal((await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
});

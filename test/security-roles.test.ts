// Issue 15, roles: against real `eddy master` and `eddy worker` processes started with one
// credential per role, a separate process holding only a client credential (scoped to dataset
// `demo`) tries to apply (a Dataset over file:///etc, one with an internal S3 endpoint), delete,
// register and heartbeat as a worker, read another dataset's
// mounts, namespace and blocks, and get cloud credentials; each is refused with a typed error
// (PERMISSION_DENIED), and its own reads keep working afterwards. A worker credential cannot
// apply, an `eddy worker` holding a client credential never registers, and a worker without a
// token refuses to start unless bound to loopback with --insecure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMasterClient, type MasterRpc, type proto } from '@eddy/protocol';
import { CleanupStack, EddyProcess, eventually, runEddy, startProcCluster, type ProcCluster } from '@eddy/test-cluster';

const run = promisify(execFile);

const ADMIN = 'roles-admin-token-5c2b9e';
const ATTACKER = join(dirname(fileURLToPath(import.meta.url)), 'helpers', 'client-attacker.js');
const cleanup = new CleanupStack();
after(async () => { await cleanup.run(); });

let c: ProcCluster;
let admin: MasterRpc;

async function refOf(dataset: string, path: string): Promise<proto.BlockRef> {
  const res = await admin.getBlockLocations({ dataset, path, version: '', offset: 0, length: 0 });
  const b = res.blocks[0]!;
  return { key: b.key, dataset, path, version: res.info!.version, index: b.index, blockSize: Number(res.blockSize), fileSize: Number(res.info!.size) };
}

async function assertStillServing(): Promise<void> {
  assert.ok(c.master.running && c.worker.running, 'master and worker processes are alive');
  assert.equal((await admin.stat({ dataset: 'demo', path: '/f.bin' })).info?.size, 5);
  assert.equal((await admin.listWorkers({})).workers.filter((w) => w.live).length, 1);
}

before(async () => {
  c = await startProcCluster({ token: ADMIN, files: { 'f.bin': Buffer.from('hello'), 'other/g.bin': Buffer.from('other bytes') } });
  cleanup.add('cluster', () => c.close());
  admin = createMasterClient(c.masterAddress, { token: ADMIN });
  cleanup.add('admin client', () => admin.close());
  // A second dataset the scoped client must not reach.
  await admin.apply({ manifests: `apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata: {name: other}\nspec:\n  mounts:\n    - mountPoint: file://${join(c.ufsDir, 'other')}\n` });
});

test('a process holding a scoped client credential: every out-of-role call is PERMISSION_DENIED, its own reads still work', async () => {
  const spec = join(c.dir, 'attack.json');
  await writeFile(spec, JSON.stringify({
    master: c.masterAddress, dataAddress: c.workerDataAddress, tokenFile: c.credentials.scopedClient.file,
    own: { dataset: 'demo', ref: await refOf('demo', '/f.bin') }, other: { dataset: 'other', ref: await refOf('other', '/g.bin') },
  }));
  const child = await run(process.execPath, [ATTACKER, spec], { timeout: 60_000 });
  const results = new Map(child.stdout.trim().split('\n').map((l) => JSON.parse(l) as { attack: string; ok: boolean; code?: string; name?: string; bytes?: number })
    .map((r) => [r.attack, r]));
  for (const attack of ['apply', 'applyInternalEndpoint', 'delete', 'registerWorker', 'heartbeat', 'getMountsOther', 'getMountsCredentials', 'statOther', 'readOther', 'fetchOther']) {
    const r = results.get(attack);
    assert.ok(r && !r.ok && r.code === 'PERMISSION_DENIED' && r.name === 'PermissionDeniedError', `${attack}: ${JSON.stringify(r)}`);
  }
  assert.deepEqual(results.get('getMountsOwn'), { attack: 'getMountsOwn', ok: true, bytes: 0 }, 'own mounts, no options to hand over');
  assert.deepEqual(results.get('readOwn'), { attack: 'readOwn', ok: true, bytes: 5 }, 'its own dataset still reads after the refusals');
  assert.ok(!child.stdout.includes(c.credentials.scopedClient.token), 'the token is never printed');
  // Nothing changed: no takeover dataset, demo still there, no rogue worker.
  assert.deepEqual((await admin.get({ kind: 'dataset', name: '' })).resources.map((r) => r.metadata?.name).sort(), ['demo', 'other']);
  assert.ok(!(await admin.listWorkers({})).workers.some((w) => w.address?.workerId === 'rogue'));
  await assertStillServing();
});

test('eddy apply with a client or a worker credential is refused; the CLI names the role, not the token', async () => {
  const file = join(c.dir, 'takeover.yaml');
  await writeFile(file, `apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata: {name: takeover}\nspec:\n  mounts:\n    - mountPoint: file://${c.ufsDir}\n`);
  for (const cred of [c.credentials.client, c.credentials.worker]) {
    const res = await runEddy(['apply', '-f', file], { env: { ...c.env, EDDY_TOKEN_FILE: cred.file } });
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /apply needs the admin role/);
    assert.ok(!res.stderr.includes(cred.token));
  }
  // A client may still look (get is read-only); an unknown token may not.
  const get = await runEddy(['get', 'dataset'], { env: { ...c.env, EDDY_TOKEN_FILE: c.credentials.client.file } });
  assert.equal(get.code, 0, get.stderr);
  await writeFile(join(c.dir, 'unknown'), 'not-a-known-token\n');
  const unknown = await runEddy(['get', 'dataset'], { env: { ...c.env, EDDY_TOKEN_FILE: join(c.dir, 'unknown') } });
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /unknown token/);
  await assertStillServing();
});

test('eddy worker with a client credential never registers; a worker without a token refuses to start unless loopback + --insecure', async () => {
  const rogue = new EddyProcess(['worker', '--master', c.masterAddress, '--runtime', 'demo', '--listen', '127.0.0.1:0', '--worker-id', 'rogue',
    '--token-file', c.credentials.client.file, '--tier', `MEM:${join(c.dir, 'rogue-tier')}:16Mi`, '--heartbeat-ms', '200']);
  cleanup.add('rogue worker', () => rogue.stop('SIGKILL'));
  await eventually('the rogue worker refused', 30_000, async () => (/registerWorker needs the admin or worker role/.test(rogue.stderr) ? true : undefined), 200);
  assert.ok(!(await admin.listWorkers({})).workers.some((w) => w.address?.workerId === 'rogue'));
  await rogue.stop('SIGTERM');

  const open = await runEddy(['worker', '--master', c.masterAddress, '--runtime', 'demo', '--listen', '0.0.0.0:0', '--tier', `MEM:${join(c.dir, 't2')}:16Mi`],
    { env: { EDDY_TOKEN_FILE: '' } });
  assert.notEqual(open.code, 0);
  assert.match(open.stderr, /no worker token/);
  const wide = await runEddy(['worker', '--master', c.masterAddress, '--runtime', 'demo', '--listen', '0.0.0.0:0', '--insecure',
    '--tier', `MEM:${join(c.dir, 't3')}:16Mi`], { env: { EDDY_TOKEN_FILE: '' } });
  assert.notEqual(wide.code, 0);
  assert.match(wide.stderr, /--insecure \(no token\) needs loopback listeners; 0\.0\.0\.0 is not loopback/);
  await assertStillServing();
});

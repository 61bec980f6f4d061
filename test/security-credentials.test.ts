// Issue 15, credentials bound and rotated, against real `eddy master` and `eddy worker` processes:
// - a worker credential bound to a worker id (`TOKEN datasets=RUNTIME workers=ID` in the master's
//   --worker-token-file) registers as that id only: an `eddy worker` holding it under another id or
//   for another runtime never registers, and a heartbeat for another worker is PERMISSION_DENIED;
//   the master calls each worker with the token it registered with (a DataLoad reaches both);
// - the master re-reads its token files on SIGHUP: a client and an admin token are added and the
//   old ones removed without a restart (same pid), on the control plane at once and on the
//   worker's data channel with its next heartbeat; a broken file is refused and the credentials
//   in use stay.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EddyError } from '@eddy/core';
import { createMasterClient, DataChannelClient, type MasterRpc, type proto } from '@eddy/protocol';
import { CleanupStack, EddyProcess, eventually, runEddy, startProcCluster, type ProcCluster } from '@eddy/test-cluster';

const ADMIN = 'credentials-admin-token-0d5e';
const BLOCK = 256 * 1024;
// 16 blocks: a DataLoad places some on each of two workers (all on one: 2^-15).
const DATA = randomBytes(16 * BLOCK);
const cleanup = new CleanupStack();
after(async () => { await cleanup.run(); });

let c: ProcCluster;
let admin: MasterRpc;
let ref: proto.BlockRef;
let masterPid: number;

const fresh = (role: string): string => `${role}-${randomBytes(12).toString('hex')}`;

async function writeSecretFile(name: string, text: string): Promise<string> {
  const file = join(c.dir, name);
  await writeFile(file, text, { mode: 0o600 });
  return file;
}

const masterLog = (): string => c.master.stdout + c.master.stderr;
const occurrences = (text: string): number => masterLog().split(text).length - 1;

/**
 * Rewrites one of the master's token files, sends the master SIGHUP and waits for its log line:
 * 'credentials replaced', or with `refused` the line saying the files were not reloaded.
 */
async function rotate(file: string, text: string, refused = false): Promise<void> {
  const line = refused ? 'were not reloaded' : 'credentials replaced';
  const before = occurrences(line);
  await writeFile(file, text, { mode: 0o600 });
  assert.ok(c.master.child.kill('SIGHUP'));
  await eventually(`the master logged "${line}"`, 30_000, async () => (occurrences(line) > before ? true : undefined), 100);
}

/** How a call with `token` ends: 'ok' or the error's code. */
async function controlPlane(token: string): Promise<string> {
  const rpc = createMasterClient(c.masterAddress, { token });
  try {
    await rpc.stat({ dataset: 'demo', path: '/f.bin' });
    return 'ok';
  } catch (err) {
    return err instanceof EddyError ? err.code : 'UNTYPED';
  } finally { rpc.close(); }
}

/** How a data-channel READ with `token` on a new connection ends: 'ok' (right bytes) or the error's code. */
async function dataChannel(token: string): Promise<string> {
  const dc = new DataChannelClient(c.workerDataAddress, { token, connectTimeoutMs: 3_000 });
  try {
    const got = await dc.readBlock(ref, 0, BLOCK);
    assert.ok(got.equals(DATA.subarray(0, BLOCK)));
    return 'ok';
  } catch (err) {
    return err instanceof EddyError ? err.code : 'UNTYPED';
  } finally { await dc.close(); }
}

const until = async (what: string, fn: () => Promise<string>, want: string): Promise<void> => {
  await eventually(what, 30_000, async () => ((await fn()) === want ? true : undefined), 200);
};

async function liveWorkers(): Promise<string[]> {
  return (await admin.listWorkers({})).workers.filter((w) => w.live).map((w) => w.address!.workerId).sort();
}

before(async () => {
  c = await startProcCluster({ token: ADMIN, files: { 'f.bin': DATA }, blockSize: '256Ki' });
  cleanup.add('cluster', () => c.close());
  admin = createMasterClient(c.masterAddress, { token: ADMIN });
  cleanup.add('admin client', () => admin.close());
  masterPid = c.master.child.pid!;
  const res = await admin.getBlockLocations({ dataset: 'demo', path: '/f.bin', version: '', offset: 0, length: 0 });
  const b = res.blocks[0]!;
  ref = { key: b.key, dataset: 'demo', path: '/f.bin', version: res.info!.version, index: b.index, blockSize: Number(res.blockSize), fileSize: DATA.length };
});

test('a worker credential bound to a worker id registers only as that id and for its runtime', async () => {
  const [original] = await liveWorkers();
  const bound = fresh('bound');
  // The running worker's token, now bound to its own id; a second one for worker w-bound.
  await rotate(c.credentials.worker.file, `${c.credentials.worker.token} datasets=demo workers=${original}\n${bound} datasets=demo workers=w-bound\n`);
  const boundFile = await writeSecretFile('w-bound-token', `${bound}\n`);
  const worker = (id: string, runtime = 'demo'): EddyProcess => {
    const p = new EddyProcess(['worker', '--master', c.masterAddress, '--runtime', runtime, '--listen', '127.0.0.1:0', '--worker-id', id,
      '--token-file', boundFile, '--tier', `MEM:${join(c.dir, `tier-${id}`)}:64Mi`, '--heartbeat-ms', '200', '--allow-file-root', c.ufsDir]);
    cleanup.add(`worker ${id}`, () => p.stop('SIGKILL'));
    return p;
  };
  const good = worker('w-bound');
  await eventually('w-bound registered', 60_000, async () => ((await liveWorkers()).includes('w-bound') ? true : undefined), 200);
  assert.deepEqual(await liveWorkers(), [original, 'w-bound'].sort(), 'the original worker, bound to its own id, stays live');

  for (const [id, runtime, why] of [['w-evil', 'demo', /bound to other worker ids, not \\?"w-evil/], ['w-bound', 'other', /not allowed dataset \\?"other/]] as const) {
    const rogue = worker(id, runtime);
    await eventually(`${id}/${runtime} refused`, 30_000, async () => (why.test(rogue.stderr) ? true : undefined), 200)
      .catch((err: unknown) => { throw new Error(`${String(err)}\nstdout: ${rogue.stdout.slice(-2000)}\nstderr: ${rogue.stderr.slice(-2000)}`); });
    await rogue.stop('SIGKILL');
  }
  assert.deepEqual(await liveWorkers(), [original, 'w-bound'].sort(), 'no rogue registration');

  // Heartbeats as another worker: with the bound token, and with the original worker's token.
  for (const [token, target] of [[bound, original], [c.credentials.worker.token, 'w-bound']] as const) {
    const rpc = createMasterClient(c.masterAddress, { token });
    try {
      await assert.rejects(rpc.heartbeat({ workerId: target, added: [], removed: [], tiers: [] }),
        (e: unknown) => e instanceof EddyError && e.code === 'PERMISSION_DENIED' && /bound to other worker ids/.test(e.message));
    } finally { rpc.close(); }
  }

  // The master calls each worker with the token it registered with: a DataLoad places blocks on both.
  await writeFile(join(c.dir, 'load.yaml'), 'apiVersion: data.fluid.io/v1alpha1\nkind: DataLoad\nmetadata: {name: warm}\nspec:\n  dataset: {name: demo, namespace: default}\n');
  const applied = await runEddy(['apply', '-f', join(c.dir, 'load.yaml')], { env: c.env });
  assert.equal(applied.code, 0, applied.stderr);
  await eventually('DataLoad complete', 60_000, async () => {
    const r = await runEddy(['get', 'dataload', 'warm', '-o', 'json'], { env: c.env });
    assert.doesNotMatch(r.stdout, /"phase":\s*"Failed"/);
    return /"phase":\s*"Complete"/.test(r.stdout) ? true : undefined;
  }, 500);
  const counts = new Map((await admin.listWorkers({})).workers.map((w) => [w.address!.workerId, w.blockCount]));
  assert.ok((counts.get('w-bound') ?? 0) > 0 && (counts.get(original!) ?? 0) > 0, `blocks on both: ${JSON.stringify([...counts])}`);
  assert.ok(good.running && c.worker.running && c.master.running);
  await good.stop('SIGTERM');
});

test('SIGHUP: the master re-reads its token files; tokens are added and removed without a restart', async () => {
  const clientFile = c.credentials.masterFlags[c.credentials.masterFlags.indexOf('--client-token-file') + 1]!;
  const oldClient = c.credentials.scopedClient.token;
  const newClient = fresh('client2');
  assert.equal(await controlPlane(newClient), 'UNAUTHENTICATED');
  // Step 1: both the old and the new client token.
  await rotate(clientFile, `${c.credentials.client.token}\n${oldClient} datasets=demo\n${newClient} datasets=demo\n`);
  await until('the new client token accepted by the master', () => controlPlane(newClient), 'ok');
  await until('... and by the worker, after its next heartbeat', () => dataChannel(newClient), 'ok');
  assert.equal(await controlPlane(oldClient), 'ok', 'the old one still works while every holder moves');
  // Step 2: the old one removed.
  await rotate(clientFile, `${c.credentials.client.token}\n${newClient} datasets=demo\n`);
  await until('the old client token refused by the master', () => controlPlane(oldClient), 'UNAUTHENTICATED');
  await until('... and by the worker', () => dataChannel(oldClient), 'UNAUTHENTICATED');
  assert.equal(await dataChannel(newClient), 'ok');

  // A broken file (no token) is refused; the credentials in use stay.
  await rotate(clientFile, '# emptied by mistake\n', true);
  assert.equal(await controlPlane(newClient), 'ok');
  await rotate(clientFile, `${c.credentials.client.token}\n${newClient} datasets=demo\n`);

  // The admin token the same way: the new one can apply, the old one is refused.
  const newAdmin = fresh('admin2');
  await rotate(c.credentials.admin.file, `${newAdmin}\n${ADMIN}\n`);
  await until('the new admin token accepted', () => controlPlane(newAdmin), 'ok');
  await rotate(c.credentials.admin.file, `${newAdmin}\n`);
  await until('the old admin token refused', () => controlPlane(ADMIN), 'UNAUTHENTICATED');
  const get = await runEddy(['get', 'dataset', 'demo'], { env: c.env });
  assert.equal(get.code, 0, `the CLI with the admin file (now the new token): ${get.stderr}`);

  assert.equal(c.master.child.pid, masterPid, 'the same master process: no restart');
  assert.ok(c.master.running && c.worker.running);
  assert.ok(!masterLog().includes(newClient) && !masterLog().includes(newAdmin), 'no token logged');
});

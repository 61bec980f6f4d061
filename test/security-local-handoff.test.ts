// Issue 15, local handoff: a hostile worker process (test/helpers/lying-worker.ts) registers under
// the FUSE client's host id, claims every block of /f.bin, and answers LOCAL with a path outside
// its registered tier directory (a secret of exactly the block's length) or with a symlink
// planted in that directory leading to the secret. A real `eddy mount` on that "host" must refuse
// both (LocalBlockRefusedError, logged), read the right bytes elsewhere, and never the secret.
// The lying worker holds a worker credential (registering needs one: a client credential is refused,
// test/security-roles.test.ts), the mount only a client credential scoped to the dataset: this is
// the test of what the client does when a worker it trusts to be local lies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMasterClient, type MasterRpc } from '@eddy/protocol';
import { CleanupStack, EddyProcess, REPO_ROOT, eventually, forceUnmount, startProcCluster, type ProcCluster } from '@eddy/test-cluster';
import { spawn, type ChildProcess } from 'node:child_process';

const TOKEN = 'handoff-token-91d3';
const MiB = 1024 * 1024;
const DATA = randomBytes(4 * MiB);
const LYING = join(REPO_ROOT, 'test', 'lib', 'helpers', 'lying-worker.js');
const HOST = 'attacked-host';
const cleanup = new CleanupStack();
after(async () => { await cleanup.run(); });

let c: ProcCluster;
let rpc: MasterRpc;
let liar: ChildProcess;
let liarOut = '';
let mount: EddyProcess;
let mnt: string;

before(async () => {
  c = await startProcCluster({ token: TOKEN, files: { 'f.bin': DATA }, blockSize: '1Mi' });
  cleanup.add('cluster', () => c.close());
  rpc = createMasterClient(c.masterAddress, { token: TOKEN });
  cleanup.add('master client', () => rpc.close());
  const secret = join(c.dir, 'secret.bin');
  await writeFile(secret, Buffer.alloc(MiB, 'S'));
  const liarTier = join(c.dir, 'liar-tier');
  await mkdir(liarTier, { mode: 0o700 });
  const info = (await rpc.stat({ dataset: 'demo', path: '/f.bin' })).info!;
  const liarArgs = [LYING, c.masterAddress, c.credentials.worker.file, 'demo', 'demo', '/f.bin', String(MiB), HOST, liarTier, secret, info.version, String(info.size)];
  liar = spawn(process.execPath, liarArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  liar.stdout!.setEncoding('utf8').on('data', (s: string) => { liarOut += s; });
  cleanup.add('lying worker', () => { liar.kill('SIGKILL'); });
  await eventually('the lying worker registered', 30_000, async () => (liarOut.includes('ready') ? true : undefined), 100);
  mnt = join(c.dir, 'mnt');
  await mkdir(mnt);
  mount = new EddyProcess(['mount', '--master', c.masterAddress, '--dataset', 'demo', '--token-file', c.credentials.scopedClient.file, '--host-id', HOST, mnt],
    { env: { EDDY_LOG_LEVEL: 'warn' } });
  cleanup.add('mount', async () => { await mount.stop('SIGINT', 15_000).catch(() => mount.stop('SIGKILL')); forceUnmount(mnt); });
  await mount.waitForOutput(/^mounted dataset/m, 60_000);
});

test('LOCAL_OK paths outside the tier directories (a foreign file, a planted symlink) are refused; the mount reads the right bytes', async () => {
  const got = await readFile(join(mnt, 'f.bin'));
  assert.equal(got.length, DATA.length);
  assert.ok(got.equals(DATA), 'the file\'s own bytes');
  assert.ok(!got.includes(Buffer.alloc(64, 'S')), 'never the secret');
  // The client did ask the lying worker, and got both kinds of lie.
  assert.match(liarOut, /LOCAL_OK .*secret\.bin/);
  assert.match(liarOut, /LOCAL_OK .*liar-tier\/[0-9a-f]+\.0badf00d/);
  // …refused them (one warning for that worker) and carried on.
  await eventually('the refusal logged', 10_000, async () => (/refused a local block file/.test(mount.stderr) ? true : undefined), 100);
  assert.match(mount.stderr, /LocalBlockRefusedError|ACCESS_DENIED/);
  // The master, the honest worker and the mount keep serving.
  assert.ok(c.master.running && c.worker.running && mount.running);
  assert.ok((await readFile(join(mnt, 'f.bin'))).equals(DATA));
  assert.equal(Number((await rpc.stat({ dataset: 'demo', path: '/f.bin' })).info?.size), DATA.length);
});

// Issue 15, attacks on a worker's resources and tier directories, each by a real process against
// real `eddy master` and `eddy worker` processes: a planted tier directory (symlink, 0777, another
// user's) stops `eddy worker` with an error naming the path and the fix; a ref with a 1 GiB block
// is INVALID_ARGUMENT; HELLOs sent a byte at a time are cut at the HELLO deadline with bounded
// CPU; a pin flood stops at maxPinsPerConnection (UNAVAILABLE). After each, a legitimate read
// returns the right bytes. The hostile client is a separate process holding only a client
// credential scoped to the dataset (HELLOs a byte at a time need none: they never authenticate);
// the refused workers hold the worker credential, the legitimate reader the client one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, chown, mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { blockKey } from '@eddy/core';
import { DataChannelClient, createMasterClient, type MasterRpc, type proto } from '@eddy/protocol';
import { CleanupStack, EddyProcess, REPO_ROOT, startProcCluster, type ProcCluster } from '@eddy/test-cluster';
import { spawn } from 'node:child_process';

const TOKEN = 'resources-token-5c2f';
const MiB = 1024 * 1024;
const DATA = randomBytes(3 * MiB + 123);
const HOSTILE = join(REPO_ROOT, 'test', 'lib', 'helpers', 'hostile-client.js');
const cleanup = new CleanupStack();
after(async () => { await cleanup.run(); });

let c: ProcCluster;
let rpc: MasterRpc;
let refs: proto.BlockRef[];

before(async () => {
  c = await startProcCluster({ token: TOKEN, files: { 'f.bin': DATA }, blockSize: '1Mi' });
  cleanup.add('cluster', () => c.close());
  rpc = createMasterClient(c.masterAddress, { token: TOKEN });
  cleanup.add('master client', () => rpc.close());
  const st = await rpc.stat({ dataset: 'demo', path: '/f.bin' });
  const version = st.info!.version;
  refs = [0, 1, 2, 3].map((index) => ({
    key: blockKey('demo', '/f.bin', version, index, MiB), dataset: 'demo', path: '/f.bin', version, index, blockSize: MiB, fileSize: DATA.length,
  }));
});

/** Runs one attack of test/helpers/hostile-client.ts in its own process; its JSON result. */
async function hostile(args: string[]): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, [HOSTILE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { err += s; });
  const code = await new Promise<number | null>((r) => child.once('close', (n) => r(n)));
  assert.equal(code, 0, `hostile client failed: ${err}`);
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
}

/** The worker still serves a legitimate client: the right bytes of every block. */
async function assertStillServing(): Promise<void> {
  assert.ok(c.master.running && c.worker.running, 'master and worker are alive');
  const client = new DataChannelClient(c.workerDataAddress, { token: c.credentials.client.token });
  try {
    for (const r of refs) {
      const start = Number(r.index) * MiB;
      assert.ok((await client.readBlock(r, 0, MiB)).equals(DATA.subarray(start, start + MiB)), `block ${r.index}`);
    }
  } finally { await client.close(); }
}

/** utime + stime of a process, in clock ticks (100 per second on Linux). */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

test('a planted tier directory (symlink, 0777, another user\'s) stops eddy worker with an error naming it and the fix', async () => {
  const real = join(c.dir, 'real-tier');
  await mkdir(real, { mode: 0o700 });
  const link = join(c.dir, 'link-tier');
  await symlink(real, link);
  const open = join(c.dir, 'open-tier');
  await mkdir(open);
  await chmod(open, 0o777);
  const cases: Array<[string, RegExp]> = [[link, /symbolic link.*fix: give the real directory/], [open, /mode 0777.*fix: chmod 0700/]];
  if (process.getuid?.() === 0) {
    const foreign = join(c.dir, 'foreign-tier');
    await mkdir(foreign, { mode: 0o700 });
    await chown(foreign, 4242, 4242);
    cases.push([foreign, /owned by uid 4242.*fix: chown/]);
  }
  for (const [dir, why] of cases) {
    const w = new EddyProcess(['worker', '--master', c.masterAddress, '--runtime', 'demo', '--listen', '127.0.0.1:0', '--token-file', c.credentials.worker.file,
      '--tier', `MEM:${dir}:64Mi`, '--allow-file-root', c.ufsDir]);
    const res = await w.wait(60_000);
    assert.notEqual(res.code, 0, `${dir}: eddy worker must not start`);
    assert.ok(res.stderr.includes(dir), `${dir}: the error names the directory: ${res.stderr}`);
    assert.match(res.stderr.replace(/\n/g, ' '), why);
  }
  await assertStillServing();
});

test('a ref with a 1 GiB block is refused (INVALID_ARGUMENT), READ and FETCH alike', async () => {
  const res = await hostile(['big-block', c.workerDataAddress, c.credentials.scopedClient.file, JSON.stringify(refs[0])]);
  for (const k of ['read', 'fetch']) {
    const r = res[k] as { code: string; message: string };
    assert.equal(r.code, 'INVALID_ARGUMENT', `${k}: ${r.message}`);
    assert.match(r.message, /block size/);
  }
  await assertStillServing();
});

test('HELLOs sent a byte at a time are cut at the HELLO deadline, with bounded CPU', async () => {
  const pid = c.worker.child.pid!;
  const before = cpuTicks(pid);
  // 32 connections, one byte each per 20 ms: a 4 KiB HELLO would take 80 s; the deadline is 10 s.
  const res = await hostile(['slow-hello', c.workerDataAddress, '32', '20']);
  const cpuSeconds = (cpuTicks(pid) - before) / 100;
  assert.equal(res['closed'], 32);
  assert.equal(res['helloOk'], 0, 'nobody authenticated');
  assert.ok((res['maxBytesSent'] as number) < 4000, `cut before the HELLO was complete (${String(res['maxBytesSent'])} bytes)`);
  // Linear decoding: ~500 bytes per connection cost nothing; a quadratic decoder or no deadline would not stay this low.
  assert.ok(cpuSeconds < 5, `worker CPU during the attack: ${cpuSeconds} s`);
  await assertStillServing();
});

test('a pin flood stops at maxPinsPerConnection with a typed UNAVAILABLE', async () => {
  const res = await hostile(['pin-flood', c.workerDataAddress, c.credentials.scopedClient.file, JSON.stringify(refs[1]), '300']);
  assert.equal(res['pinned'], 128, 'the default cap');
  const refused = res['refused'] as { code: string; message: string };
  assert.equal(refused.code, 'UNAVAILABLE');
  assert.match(refused.message, /maxPinsPerConnection/);
  await assertStillServing();
});

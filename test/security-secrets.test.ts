// Issue 8, secrets and file modes: a full scenario with a recognisable secret — the S3 server's
// secret key is the canary, handed to Eddy only through a Secret — with separate `eddy master`,
// `eddy worker` and `eddy mount` processes at debug log level: apply, reads through the mount,
// a dataset whose Secret holds a wrong credential (failing listing and mount), a DataLoad, every
// `get`/`describe` output format, bad manifests carrying the secret, kill -9 of the worker during
// a read and of the master (then restarted from its journal). Every byte of every process's
// stdout/stderr and every file Eddy wrote is searched for the canary; only the master's journal
// may hold it, and that file must be 0600 in a 0700 directory. Block files are 0600, their
// directories 0700.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startS3Server, freePort } from '@eddy/testkit';
import { Readable } from 'node:stream';
import { createMasterClient, readTokenFile } from '@eddy/protocol';
import { main as cliMain, type CliIo } from '@eddy/cli';
import { EddyProcess, runEddy, eventually, type EddyResult, forceUnmount, CleanupStack } from '@eddy/test-cluster';

const cleanup = new CleanupStack();
after(async () => { await cleanup.run(); });

const CANARY = 'EDDY-CANARY-SECRET-7f3a9c';
const MiB = 1024 * 1024;
/** Every encoding of the canary a careless component might print. */
const NEEDLES = [CANARY, Buffer.from(CANARY).toString('base64'), Buffer.from(CANARY).toString('hex'), CANARY.toLowerCase()];

function findCanary(text: string | Buffer): string | undefined {
  const s = typeof text === 'string' ? text : text.toString('latin1');
  for (const n of NEEDLES) {
    const i = s.indexOf(n);
    if (i >= 0) return s.slice(Math.max(0, i - 200), i + n.length + 50);
  }
  // Partial leaks (a truncated or masked secret that still shows most of it).
  const i = s.indexOf(CANARY.slice(0, 16));
  return i >= 0 ? s.slice(Math.max(0, i - 200), i + 60) : undefined;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    out.push(p);
    if (e.isDirectory()) out.push(...await walk(p));
  }
  return out;
}

function manifests(bucket: string, s3: { endpoint: string; region: string; accessKey: string }, tierPath: string): string {
  const mount = (secret: string): string => `    - mountPoint: s3://${bucket}/
      options: {fs.s3.endpoint: "${s3.endpoint}", fs.s3.region: ${s3.region}, fs.s3.pathStyleAccess: "true"}
      encryptOptions:
        - {name: fs.s3.accessKeyId, valueFrom: {secretKeyRef: {name: ${secret}, key: fs.s3.accessKeyId}}}
        - {name: fs.s3.accessKeySecret, valueFrom: {secretKeyRef: {name: ${secret}, key: fs.s3.accessKeySecret}}}`;
  return `apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData:
  fs.s3.accessKeyId: ${s3.accessKey}
  fs.s3.accessKeySecret: ${CANARY}
---
apiVersion: v1
kind: Secret
metadata: {name: badcreds}
type: Opaque
data:
  fs.s3.accessKeyId: ${Buffer.from(s3.accessKey).toString('base64')}
  fs.s3.accessKeySecret: ${Buffer.from(`${CANARY}-WRONG`).toString('base64')}
---
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: models}
spec:
  mounts:
${mount('creds')}
---
apiVersion: data.fluid.io/v1alpha1
kind: JindoRuntime
metadata: {name: models}
spec:
  blockSize: 1Mi
  tieredstore:
    levels:
      - {mediumtype: SSD, path: ${tierPath}, quota: 64Mi, high: "0.99", low: "0.8"}
---
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: broken}
spec:
  mounts:
${mount('badcreds')}
`;
}

test('a recognisable secret never appears in any output, log or file but the 0600 journal; state files 0600, dirs 0700', { timeout: 300_000 }, async () => {
  const s3 = await startS3Server({ secretKey: CANARY });
  cleanup.add('s3 server', () => s3.close());
  assert.equal(s3.secretKey, CANARY, 'the local S3 server runs with the canary as its secret key');
  const bucket = await s3.createBucket();
  const objects: Record<string, Buffer> = {
    'a/x.bin': Buffer.alloc(3 * MiB + 17, 'x'), 'b/y.bin': Buffer.alloc(100 * 1024, 'y'), 'c/big.bin': Buffer.alloc(12 * MiB, 'z'),
  };
  for (const [k, v] of Object.entries(objects)) await s3.client.putObject(bucket, k, v);

  const dir = await mkdtemp(join(tmpdir(), 'eddy-canary-'));
  cleanup.add('temp dir', () => rm(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'master-state');
  const tierDir = join(dir, 'tier');
  const mnt = join(dir, 'mnt');
  const mntBroken = join(dir, 'mnt-broken');
  await mkdir(tierDir, { mode: 0o700 });
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, 'canary-test-token\n', { mode: 0o600 });
  await writeFile(join(dir, 'eddy.yaml'), manifests(bucket, s3, tierDir));

  const t0 = Date.now();
  const mark = (what: string): void => { if (process.env.EDDY_TEST_TIMINGS) process.stderr.write(`${what}: ${Date.now() - t0} ms\n`); };
  const procs: EddyProcess[] = [];
  const results: Array<{ what: string; r: EddyResult }> = [];
  const debug = { EDDY_LOG_LEVEL: 'debug' };
  const spawn = (args: string[]): EddyProcess => {
    const p = new EddyProcess(args, { env: debug });
    procs.push(p);
    return p;
  };
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  // EDDY_DEBUG=1: the CLI prints stacks for unexpected errors, the most a crash would show.
  const env = { EDDY_MASTER: address, EDDY_TOKEN_FILE: tokenFile, EDDY_DEBUG: '1', ...debug };
  const eddy = async (...args: string[]): Promise<EddyResult> => {
    const t = Date.now();
    const r = await runEddy(args, { env, timeoutMs: 60_000 });
    if (process.env.EDDY_TEST_TIMINGS) process.stderr.write(`  eddy ${args.join(' ')}: ${Date.now() - t} ms\n`);
    results.push({ what: `eddy ${args.join(' ')}`, r });
    return r;
  };
  /** The same commands in-process (`main` with captured streams): fast enough to try every format, on a TTY too. */
  const cli = async (args: string[], tty = false): Promise<EddyResult> => {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: { write: (x: string) => { stdout += x; return true; }, isTTY: tty, columns: 160 },
      stderr: { write: (x: string) => { stderr += x; return true; } },
      stdin: Readable.from(['']), env, cwd: dir,
    };
    const code = await cliMain(args, { io, signal: new AbortController().signal });
    const r = { code, signal: null, stdout, stderr };
    results.push({ what: `main ${args.join(' ')}${tty ? ' (tty)' : ''}`, r });
    return r;
  };
  const startMaster = (): EddyProcess => spawn(['master', '--listen', address, '--data-dir', dataDir, '--token-file', tokenFile, '--worker-timeout', '3000', '--heartbeat-interval', '500']);
  let master = startMaster();
  cleanup.add('master', () => master.stop('SIGTERM'));
  const rpc = createMasterClient(address, { token: readTokenFile(tokenFile) });
  cleanup.add('rpc', () => rpc.close());
  await eventually('master up', 20_000, async () => { await rpc.listWorkers({}, { timeoutMs: 1_000 }); return true; }, 200);

  const applied = await eddy('apply', '-f', join(dir, 'eddy.yaml'));
  assert.equal(applied.code, 0, applied.stderr);

  const startWorker = (): EddyProcess => spawn(['worker', '--master', address, '--runtime', 'models', '--listen', '127.0.0.1:0', '--token-file', tokenFile, '--heartbeat-ms', '500', '--worker-id', 'w1']);
  let worker = startWorker();
  cleanup.add('worker', () => worker.stop('SIGTERM'));
  await eventually('worker live', 30_000, async () => (await rpc.listWorkers({})).workers.find((w) => w.live));

  const mount = spawn(['mount', mnt, '--dataset', 'models', '--master', address, '--token-file', tokenFile, '-o', 'attr_timeout=1,entry_timeout=1']);
  cleanup.add('mount', async () => { await mount.stop('SIGINT'); forceUnmount(mnt); });
  await mount.waitForOutput(/mounted dataset models/, 30_000);
  assert.ok((await readFile(join(mnt, 'a', 'x.bin'))).equals(objects['a/x.bin']!));
  mark('first read');

  // The dataset whose Secret holds a wrong credential: its listing fails, and so does mounting or reading it.
  const brokenMount = spawn(['mount', mntBroken, '--dataset', 'broken', '--master', address, '--token-file', tokenFile]);
  cleanup.add('broken mount', async () => { await brokenMount.stop('SIGINT'); forceUnmount(mntBroken); });
  const brokenOutcome = await Promise.race([
    brokenMount.waitForOutput(/mounted dataset broken/, 30_000).then(() => 'mounted', () => 'failed'),
    brokenMount.wait(30_000).then(() => 'exited', () => 'failed'),
  ]);
  if (brokenOutcome === 'mounted') {
    await assert.rejects(readdir(mntBroken).then(async (names) => { for (const n of names) await readFile(join(mntBroken, n)); if (names.length === 0) throw new Error('empty'); }));
  }
  await brokenMount.stop('SIGINT');
  forceUnmount(mntBroken);
  const brokenGet = await eddy('get', 'dataset', 'broken', '-o', 'json');
  assert.equal(brokenGet.code, 0, brokenGet.stderr);
  mark('broken');

  // A DataLoad through the worker (which reads the bucket with the Secret's credentials).
  await writeFile(join(dir, 'load.yaml'), `apiVersion: data.fluid.io/v1alpha1
kind: DataLoad
metadata: {name: warm}
spec:
  dataset: {name: models, namespace: default}
  target:
    - {path: /b}
`);
  assert.equal((await eddy('apply', '-f', join(dir, 'load.yaml'))).code, 0);
  await eventually('DataLoad complete', 60_000, async () => {
    const r = await cli(['get', 'dataload', 'warm', '-o', 'json']);
    return /"phase":\s*"(Complete|Failed)"/.test(r.stdout) ? true : undefined;
  }, 1_000);
  mark('dataload');

  // Every get/describe in every format, one object and all of them.
  const views: string[][] = [];
  const formats = [[], ['-o', 'wide'], ['-o', 'json'], ['-o', 'yaml']];
  for (const kind of ['dataset', 'runtime', 'dataload', 'worker', 'secret']) for (const fmt of formats) views.push(['get', kind, ...fmt]);
  for (const [kind, name] of [['secret', 'creds'], ['secret', 'badcreds'], ['dataset', 'models'], ['dataset', 'broken'], ['runtime', 'models'], ['dataload', 'warm']] as const) {
    for (const fmt of formats) views.push(['get', kind, name, ...fmt]);
    if (kind !== 'secret') views.push(['describe', kind, name]);
  }
  for (const v of views) {
    const r = await cli(v);
    assert.equal(r.code, 0, `${v.join(' ')}: ${r.stderr}`);
    await cli(v, true);
  }
  // Not a describable kind: the error is searched like everything else.
  assert.notEqual((await cli(['describe', 'secret', 'creds'])).code, 0);
  // A few as real processes too (their own logger, their own crash handling).
  for (const v of [['get', 'secret', 'creds', '-o', 'yaml'], ['describe', 'dataset', 'broken'], ['get', 'dataset', '-o', 'json']]) {
    assert.equal((await eddy(...v)).code, 0);
  }
  mark('views');
  const secretJson = results.find((x) => x.what === 'main get secret creds -o json')!.r;
  assert.equal(secretJson.code, 0, secretJson.stderr);
  assert.match(secretJson.stdout, /creds/);
  // The raw Get RPC strips values too.
  assert.equal(findCanary(JSON.stringify((await rpc.get({ kind: 'secret', name: '' })).resources)), undefined);
  assert.equal(findCanary(JSON.stringify((await rpc.get({ kind: 'dataset', name: '' })).resources)), undefined);

  // Bad manifests carrying the secret: the errors name the problem, not the value.
  await writeFile(join(dir, 'bad1.yaml'), `apiVersion: v1\nkind: Secret\nmetadata: {name: "Bad_Name"}\nstringData: {k: ${CANARY}}\n`);
  await writeFile(join(dir, 'bad2.yaml'), `apiVersion: v1\nkind: Secret\nmetadata: {name: s2}\ndata: {k: "${CANARY}!!"}\n`);
  await writeFile(join(dir, 'bad3.yaml'), `apiVersion: v1\nkind: Secret\nmetadata: {name: s3}\nstringData: {k: ${CANARY}}\nextra: ${CANARY}\n`);
  await writeFile(join(dir, 'bad4.yaml'), `apiVersion: v1\nkind: Secret\nmetadata: {name: s4}\nstringData: {"bad key": ${CANARY}, k2: [${CANARY}]}\n`);
  for (const [f, why] of [['bad1.yaml', /metadata\.name/], ['bad2.yaml', /base64/], ['bad3.yaml', /extra: unknown field/], ['bad4.yaml', /stringData\["bad key"\]/]] as const) {
    const r = await cli(['apply', '-f', join(dir, f)]);
    assert.notEqual(r.code, 0, `${f} is refused`);
    assert.match(r.stderr, why, `${f}: the error names the problem`);
  }
  assert.notEqual((await eddy('apply', '-f', join(dir, 'bad4.yaml'))).code, 0);

  // kill -9 the worker in the middle of a read through the mount (the mount falls back or fails).
  const killed = (await rpc.listWorkers({})).workers.find((w) => w.address?.workerId === 'w1')?.address?.dataAddress;
  assert.ok(killed, 'w1 has a data address');
  const bigRead = readFile(join(mnt, 'c', 'big.bin')).then((b) => b.equals(objects['c/big.bin']!), (e: NodeJS.ErrnoException) => e.code);
  await new Promise((r) => setTimeout(r, 150));
  worker.child.kill('SIGKILL');
  const bigOutcome = await bigRead;
  assert.ok(bigOutcome === true || bigOutcome === 'EIO', `read during kill -9: ${String(bigOutcome)}`);
  await worker.wait(10_000);
  worker = startWorker();
  // Back = registered again on its new data port; until then the master still lists the killed
  // one as live (up to --worker-timeout), and this mount, which does not read the bucket itself,
  // has no source for the read (EIO, as it should). A starting worker first registers with no
  // address at all, to learn its tiers (start-worker.ts tiersFromMaster), and is listed live so
  // while it opens its store: that is not back either (the EIO of three CI runs).
  const back = (w: { live?: boolean; address?: { workerId?: string; dataAddress?: string } | null }): boolean =>
    w.live === true && w.address?.workerId === 'w1' && (w.address.dataAddress ?? '') !== '' && w.address.dataAddress !== killed;
  await eventually('worker back', 30_000, async () => (await rpc.listWorkers({})).workers.find(back));
  assert.ok((await readFile(join(mnt, 'b', 'y.bin'))).equals(objects['b/y.bin']!));
  mark('worker kill');

  // kill -9 the master; a new one replays the journal (Secrets included) and serves again.
  master.child.kill('SIGKILL');
  await master.wait(10_000);
  master = startMaster();
  await eventually('master back', 30_000, async () => { await rpc.listWorkers({}, { timeoutMs: 1_000 }); return true; }, 300);
  await eventually('dataset served after restart', 30_000, async () => {
    const r = await cli(['describe', 'dataset', 'models']);
    return r.code === 0 ? true : undefined;
  }, 1_000);
  // A restarted master knows no worker until its next heartbeat; the mount then falls back to the
  // workers it knew (worker-tier-roots), but that list may still hold the address killed above, so
  // the read waits for w1 to register again (the CI failure of 90bbdca: EIO in that window).
  await eventually('worker re-registered with the new master', 30_000, async () => (await rpc.listWorkers({})).workers.find(back));
  // The mount's own channel to the master reconnects on its backoff (at most 5 s, grpc-edge.ts);
  // until then its calls fail at once (EIO, as in the CI run of 95bb450): the read is retried for
  // a bounded time, and what it returns must be the right bytes.
  const afterRestart = await eventually('the mount reads again after the master restart', 30_000, () => readFile(join(mnt, 'a', 'x.bin')), 500);
  assert.ok(afterRestart.equals(objects['a/x.bin']!));

  // File modes, checked while everything still exists.
  const dataDirSt = await stat(dataDir);
  assert.equal(dataDirSt.mode & 0o777, 0o700, 'master data dir is 0700');
  const stateFiles = await walk(dataDir);
  assert.ok(stateFiles.length > 0);
  for (const f of stateFiles) {
    const st = await stat(f);
    if (st.isDirectory()) assert.equal(st.mode & 0o777, 0o700, `${f} is 0700`);
    else assert.equal(st.mode & 0o777, 0o600, `${f} is 0600`);
  }
  const blockFiles: string[] = [];
  for (const f of await walk(join(tierDir, 'eddy'))) {
    const st = await stat(f);
    if (st.isDirectory()) assert.equal(st.mode & 0o777, 0o700, `${f} is 0700`);
    else { assert.equal(st.mode & 0o777, 0o600, `${f} is 0600`); blockFiles.push(f); }
  }
  assert.ok(blockFiles.length >= 4, `block files exist (${blockFiles.length})`);
  mark('master kill+modes');

  // Stop everything cleanly, then search every byte.
  await mount.stop('SIGINT');
  forceUnmount(mnt);
  await worker.stop('SIGTERM');
  await master.stop('SIGTERM');
  const leaks: string[] = [];
  for (const p of procs) {
    const name = `eddy ${p.child.spawnargs.slice(2, 3).join(' ')} (pid ${p.child.pid})`;
    for (const [stream, text] of [['stdout', p.stdout], ['stderr', p.stderr]] as const) {
      const hit = findCanary(text);
      if (hit) leaks.push(`${name} ${stream}: …${hit}…`);
    }
  }
  for (const { what, r } of results) {
    for (const [stream, text] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
      const hit = findCanary(text);
      if (hit) leaks.push(`${what} ${stream}: …${hit}…`);
    }
  }
  // Every file Eddy wrote under the test directory (our own inputs excluded); the journal may
  // hold the Secret, as long as it is private.
  const inputs = new Set(['eddy.yaml', 'load.yaml', 'bad1.yaml', 'bad2.yaml', 'bad3.yaml', 'bad4.yaml', 'token']);
  let journalHolds = false;
  for (const f of await walk(dir)) {
    if (inputs.has(relative(dir, f))) continue;
    const st = await stat(f).catch(() => undefined);
    if (!st?.isFile()) continue;
    const hit = findCanary(await readFile(f));
    if (!hit) continue;
    if (f.startsWith(`${dataDir}/`)) { journalHolds = true; assert.equal(st.mode & 0o777, 0o600, `${f} holds the secret and is 0600`); continue; }
    leaks.push(`file ${relative(dir, f)}: …${hit}…`);
  }
  assert.deepEqual(leaks, [], `the secret leaked:\n${leaks.join('\n')}`);
  // Sanity: the scenario really did exercise logging and failures.
  const allErr = procs.map((p) => p.stderr).join('\n');
  assert.ok(allErr.length > 1000, 'debug logs were produced');
  assert.ok(/broken/.test(allErr + results.map((x) => x.r.stdout + x.r.stderr).join('')), 'the failing dataset was reported');
  mark(`done (journal holds the secret: ${journalHolds}, broken mount: ${brokenOutcome}, read during kill: ${String(bigOutcome)})`);
});

test('eddy up: the secret stays out of its output and files; token, journal and blocks are private; a bad manifest and kill -9 leak nothing', { timeout: 180_000 }, async () => {
  const s3 = await startS3Server({ secretKey: CANARY });
  cleanup.add('s3 server (up)', () => s3.close());
  const bucket = await s3.createBucket();
  const body = Buffer.alloc(2 * MiB + 5, 'u');
  await s3.client.putObject(bucket, 'm/u.bin', body);
  const dir = await mkdtemp(join(tmpdir(), 'eddy-canary-up-'));
  cleanup.add('temp dir (up)', () => rm(dir, { recursive: true, force: true }));
  const ssd = join(dir, 'ssd');
  const state = join(dir, 'state');
  const mnt = join(dir, 'mnt');
  const yaml = manifests(bucket, s3, ssd).split('\n---\n').filter((d) => !/name: broken|name: badcreds/.test(d)).join('\n---\n')
    + '\n---\napiVersion: data.fluid.io/v1alpha1\nkind: DataLoad\nmetadata: {name: warm}\nspec:\n  dataset: {name: models, namespace: default}\n';
  await writeFile(join(dir, 'eddy.yaml'), yaml);
  const debug = { EDDY_LOG_LEVEL: 'debug', EDDY_DEBUG: '1' };
  const up = new EddyProcess(['up', '-f', join(dir, 'eddy.yaml'), '--mount', mnt, '--data-dir', state, '--listen', '127.0.0.1:0', '--log-level', 'debug'], { env: debug });
  cleanup.add('eddy up', async () => { await up.stop('SIGKILL'); forceUnmount(mnt); });
  const address = (await up.waitForOutput(/master listening on (\S+)/, 60_000))[1]!;
  await up.waitForOutput(/Press Ctrl-C/, 90_000);
  assert.ok((await readFile(join(mnt, 'm', 'u.bin'))).equals(body));

  const env = { EDDY_MASTER: address, EDDY_TOKEN_FILE: join(state, 'admin-token') };
  const outputs: string[] = [];
  for (const kind of ['dataset', 'runtime', 'dataload', 'worker', 'secret']) {
    for (const fmt of [[], ['-o', 'wide'], ['-o', 'json'], ['-o', 'yaml']]) {
      let out = '';
      const io: CliIo = { stdout: { write: (x: string) => { out += x; return true; }, isTTY: false }, stderr: { write: (x: string) => { out += x; return true; } }, stdin: Readable.from(['']), env, cwd: dir };
      assert.equal(await cliMain(['get', kind, ...fmt], { io, signal: new AbortController().signal }), 0, out);
      outputs.push(out);
    }
  }
  // A second `eddy up` with a manifest it refuses: it exits with an error, not the secret.
  await writeFile(join(dir, 'bad.yaml'), `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: "${CANARY}=="}\n`);
  const bad = await runEddy(['up', '-f', join(dir, 'bad.yaml'), '--mount', join(dir, 'mnt2'), '--data-dir', join(dir, 'state2'), '--listen', '127.0.0.1:0'], { env: debug, timeoutMs: 60_000 });
  assert.notEqual(bad.code, 0);
  outputs.push(bad.stdout, bad.stderr);

  // Modes while it runs: data dir, token, journal; tier directories and block files.
  const checkTree = async (root: string): Promise<number> => {
    let files = 0;
    assert.equal((await stat(root)).mode & 0o777, 0o700, `${root} is 0700`);
    for (const f of await walk(root)) {
      const st = await stat(f);
      if (st.isDirectory()) assert.equal(st.mode & 0o777, 0o700, `${f} is 0700`);
      else { assert.equal(st.mode & 0o777, 0o600, `${f} is 0600`); files++; }
    }
    return files;
  };
  assert.ok(await checkTree(state) >= 2, 'token and journal');
  for (const role of ['admin', 'worker', 'client']) assert.equal((await stat(join(state, `${role}-token`))).mode & 0o777, 0o600, `${role}-token is 0600`);
  const upDirs = (await readdir(ssd)).filter((n) => n.startsWith('eddy-up-'));
  assert.equal(upDirs.length, 1);
  assert.ok(await checkTree(join(ssd, upDirs[0]!)) >= 3, 'block files of the read and the DataLoad');

  // Crash it.
  up.child.kill('SIGKILL');
  await up.wait(10_000);
  forceUnmount(mnt);
  outputs.push(up.stdout, up.stderr);
  const leaks = outputs.map(findCanary).filter((x): x is string => x !== undefined);
  for (const f of await walk(dir)) {
    if (['eddy.yaml', 'bad.yaml'].includes(relative(dir, f))) continue;
    const st = await stat(f).catch(() => undefined);
    if (!st?.isFile()) continue;
    const hit = findCanary(await readFile(f));
    if (!hit) continue;
    if (f.startsWith(`${join(state, 'master')}/`)) { assert.equal(st.mode & 0o777, 0o600); continue; }
    leaks.push(`file ${relative(dir, f)}: …${hit}…`);
  }
  assert.deepEqual(leaks, []);
  assert.ok(up.stderr.length + up.stdout.length > 1000, 'debug output was produced');
});

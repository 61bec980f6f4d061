// `main` in-process against a real gRPC server implementing the Master service with canned
// objects: exit codes, one-line errors, token handling, apply/get/describe/delete output.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Authenticator, loadEddyProto, createRpcServer, bindServer, wrapService, MASTER_RPC_ROLES, type proto } from '@eddy/protocol';
import { silentLogger, NotFoundError } from '@eddy/core';
import { main } from '../src/main.js';
import type { CliIo } from '../src/cli-io.js';
import { condition, dataLoadResource, dataLoadStatus, datasetResource, datasetStatus } from './resource-fixtures.js';

const TOKEN = 'tok-secret-1234';
let server: ReturnType<typeof createRpcServer>;
let address = '';
let dir = '';
let tokenFile = '';
const applied: string[] = [];
const deleted: string[] = [];
let loadPolls = 0;

const dataset = datasetResource('demo', Date.now() - 127_000,
  datasetStatus({ ufsTotalBytes: 603_030, fileNum: 1, cacheCapacityBytes: 10 * 1024 ** 3 }));
const PROBE_MS = Date.parse('2026-01-01T00:00:00Z');

function dataLoad(): proto.Resource__Output {
  // Each poll moves the load on by a third; the third poll sees it Complete.
  loadPolls++;
  const done = Math.min(3, loadPolls);
  return dataLoadResource('once', Date.now(), { dataset: 'demo', policy: 'Once' }, dataLoadStatus({
    phase: done === 3 ? 'Complete' : 'Executing', duration: '1s',
    progress: { filesDone: done, filesTotal: 3, bytesDone: done * 1024, bytesTotal: 3 * 1024, bytesFetched: 0 },
    conditions: done === 3 ? [condition('Complete', PROBE_MS)] : [],
  }));
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-cli-'));
  tokenFile = join(dir, 'token');
  await writeFile(tokenFile, `${TOKEN}\n`);
  const { master } = loadEddyProto();
  server = createRpcServer();
  const security = { token: TOKEN };
  server.addService(master.eddy.v1.Master.service, wrapService({
    apply: async (req: proto.ApplyRequest__Output): Promise<proto.ApplyResponse> => {
      applied.push(req.manifests);
      return { results: [{ kind: 'Secret', name: 'mysecret', action: 'created' }, { kind: 'Dataset', name: 'demo', action: 'configured' }] };
    },
    get: async (req: proto.GetRequest__Output): Promise<proto.GetResponse> => {
      if (req.kind === 'Dataset') return { resources: req.name === '' || req.name === 'demo' ? [dataset] : [] };
      if (req.kind === 'DataLoad' && req.name === 'once') return { resources: [dataLoad()] };
      throw new NotFoundError(`${req.kind} "${req.name}" not found`);
    },
    delete: async (req: proto.DeleteRequest__Output): Promise<proto.DeleteResponse> => {
      deleted.push(`${req.kind}/${req.name}`);
      return { deleted: req.name !== 'ghost' };
    },
    listWorkers: async (): Promise<proto.ListWorkersResponse> => ({ workers: [] }),
  }, { authenticator: Authenticator.fromCredentials({ admin: [{ token: security.token }] }), roles: MASTER_RPC_ROLES }, silentLogger()));
  const port = await bindServer(server, '127.0.0.1:0', security);
  address = `127.0.0.1:${port}`;
});

after(async () => {
  server.forceShutdown();
  await rm(dir, { recursive: true, force: true });
});

async function run(args: string[],
  opts: { stdin?: string; env?: NodeJS.ProcessEnv; tty?: boolean; signal?: AbortSignal } = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (s: string) => { out += s; return true; }, isTTY: opts.tty ?? false, columns: 100 },
    stderr: { write: (s: string) => { err += s; return true; } },
    stdin: Readable.from([opts.stdin ?? '']),
    env: opts.env ?? { EDDY_MASTER: address, EDDY_TOKEN_FILE: tokenFile },
    cwd: dir,
  };
  const code = await main(args, { io, signal: opts.signal ?? new AbortController().signal });
  return { code, out, err };
}

test('apply -f prints kubectl-style lines and sends absolute file:// URLs', async () => {
  await writeFile(join(dir, 'm.yaml'), 'apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata: {name: demo}\nspec:\n  mounts:\n    - mountPoint: file://./data\n');
  const r = await run(['apply', '-f', 'm.yaml']);
  assert.equal(r.err, '');
  assert.equal(r.code, 0);
  assert.equal(r.out, 'secret/mysecret created\ndataset.data.fluid.io/demo configured\n');
  assert.match(applied.at(-1)!, new RegExp(`mountPoint: file://${dir}/data`));
  const viaStdin = await run(['apply', '-f', '-'], { stdin: 'kind: Secret\nmetadata: {name: mysecret}\n' });
  assert.equal(viaStdin.code, 0);
  assert.equal(applied.at(-1), 'kind: Secret\nmetadata: {name: mysecret}\n');
});

test('get dataset: seed table, -o json with exact bytes, missing name fails with one line', async () => {
  const table = await run(['get', 'dataset']);
  assert.equal(table.code, 0);
  assert.match(table.out, /^NAME {3}UFS TOTAL SIZE {3}CACHED {3}CACHE CAPACITY {3}CACHED PERCENTAGE {3}PHASE {3}AGE\ndemo {3}588\.90KiB {8}0\.00B {4}10\.00GiB {9}0\.0% {16}Bound {3}2m\d+s\n$/);
  const json = await run(['--master', address, 'get', 'dataset', 'demo', '-o', 'json']);
  assert.equal(json.code, 0);
  const obj = JSON.parse(json.out) as { status: { ufsTotalBytes: number } };
  assert.equal(obj.status.ufsTotalBytes, 603_030);
  const yaml = await run(['get', 'datasets', '-o', 'yaml']);
  assert.match(yaml.out, /kind: List\n/);
  assert.match(yaml.out, /ufsTotalBytes: 603030/);
  const missing = await run(['get', 'dataset', 'nope']);
  assert.equal(missing.code, 1);
  assert.equal(missing.err, 'eddy: dataset "nope" not found\n');
});

test('get dataset -w prints the table once and no row again while nothing changes, until interrupted', async () => {
  const r = await run(['get', 'dataset', '-w'], { signal: AbortSignal.timeout(2500) });
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.split('\n').filter(Boolean).length, 2);
  assert.match(r.out, /^NAME .*\ndemo {3}588\.90KiB /);
});

test('describe dataload and get dataload -w (plain lines off a terminal, ends when a Once load completes)', async () => {
  loadPolls = 0;
  const w = await run(['get', 'dataload', 'once', '-w']);
  assert.equal(w.code, 0, w.err);
  const lines = w.out.trim().split('\n');
  assert.equal(lines[0], 'once Executing 33.3% 1.00KiB/3.00KiB 1/3 files');
  assert.match(lines.at(-1)!, /^once Complete 100\.0% 3\.00KiB\/3\.00KiB 3\/3 files$/);
  loadPolls = 0;
  const bar = await run(['get', 'dataload', 'once', '-w'], { tty: true });
  assert.equal(bar.code, 0, bar.err);
  const frames = bar.out.split('\r\x1b[2K').filter(Boolean);
  assert.match(frames[0]!, /^once Executing \[#+-+\] 33\.3% 1\.00KiB\/3\.00KiB 1\/3 files$/);
  assert.match(frames.at(-1)!, /^once Complete \[#+\] 100\.0% 3\.00KiB\/3\.00KiB 3\/3 files\n$/);
  const d = await run(['describe', 'dataload', 'once']);
  assert.equal(d.code, 0);
  assert.match(d.out, /^Status:\n {2}Conditions:\n {4}Last Probe Time: {7}2026-01-01T00:00:00\.000Z\n/m);
  assert.match(d.out, /^ {2}Phase: {19}Complete$/m);
});

test('delete -f deletes in reverse order and reports objects that were not there', async () => {
  await writeFile(join(dir, 'd.yaml'), 'kind: Secret\nmetadata: {name: ghost}\n---\nkind: JindoRuntime\nmetadata: {name: demo}\n');
  deleted.length = 0;
  const r = await run(['delete', '-f', 'd.yaml']);
  assert.deepEqual(deleted, ['Runtime/demo', 'Secret/ghost']);
  assert.equal(r.out, 'jindoruntime.data.fluid.io "demo" deleted\n');
  assert.equal(r.err, 'eddy: secret "ghost" not found\n');
  assert.equal(r.code, 1);
  const one = await run(['delete', 'dataset', 'demo']);
  assert.equal(one.out, 'dataset.data.fluid.io "demo" deleted\n');
});

test('errors: one line, right exit code, never the token', async () => {
  const noToken = await run(['get', 'dataset'], { env: { EDDY_MASTER: address } });
  assert.equal(noToken.code, 1);
  assert.match(noToken.err, /^eddy: .*token.*\n$/i);
  await writeFile(join(dir, 'wrong'), 'wrong-token-value');
  const wrong = await run(['get', 'dataset', '--token-file', join(dir, 'wrong')], { env: { EDDY_MASTER: address } });
  assert.equal(wrong.code, 1);
  assert.ok(!wrong.err.includes('wrong-token-value') && !wrong.err.includes(TOKEN));
  const down = await run(['get', 'dataset'], { env: { EDDY_MASTER: '127.0.0.1:1' } });
  assert.equal(down.code, 1);
  assert.equal(down.err, 'eddy: cannot reach the master at 127.0.0.1:1: ECONNREFUSED (set --master or EDDY_MASTER)\n');
  const badFlag = await run(['get', 'dataset', '--bogus']);
  assert.equal(badFlag.code, 2);
  assert.equal(badFlag.err, "eddy: unknown option '--bogus'\n");
  const badKind = await run(['get', 'pods']);
  assert.equal(badKind.code, 2);
  assert.match(badKind.err, /^eddy: unknown resource type "pods"/);
  const badOut = await run(['get', 'dataset', '-o', 'xml']);
  assert.equal(badOut.code, 2);
  const badMaster = await run(['--master', 'nohostport', 'get', 'dataset']);
  assert.equal(badMaster.err, 'eddy: --master must be HOST:PORT, got "nohostport"\n');
  const noFile = await run(['apply', '-f', 'missing.yaml']);
  assert.equal(noFile.err, 'eddy: -f missing.yaml: cannot read: no such file\n');
  assert.equal(noFile.code, 1);
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /Usage: eddy/);
});

test('ls lists a file:// bucket through the UFS layer', async () => {
  await writeFile(join(dir, 'a.bin'), Buffer.alloc(2048));
  const r = await run(['ls', `file://${dir}`, '--bytes']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^2048 +\S+ +a\.bin$/m);
  const bad = await run(['ls', 'ftp://x/y']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^eddy: unsupported mount URL/);
  const badOpt = await run(['ls', 'file:///tmp', '--option', 'novalue']);
  assert.equal(badOpt.code, 2);
  assert.match(badOpt.err, /^eddy: .*--option must be KEY=VALUE/);
});

test('ls refuses a credential on the command line without echoing it, and reads one from --option-file', async () => {
  const onArgv = await run(['ls', `file://${dir}`, '--option', 'fs.s3.accessKeySecret=hunter2']);
  assert.equal(onArgv.code, 2);
  assert.match(onArgv.err, /--option fs\.s3\.accessKeySecret: a credential is not taken from the command line.*--option-file/);
  assert.doesNotMatch(onArgv.err + onArgv.out, /hunter2/);
  await writeFile(join(dir, 'bad-options'), '# comment\nfs.s3.accessKeySecret hunter2\n');
  const badFile = await run(['ls', `file://${dir}`, '--option-file', 'bad-options']);
  assert.equal(badFile.code, 2);
  assert.match(badFile.err, /bad-options, line 2: expected KEY=VALUE/);
  assert.doesNotMatch(badFile.err, /hunter2/);
  const missing = await run(['ls', `file://${dir}`, '--option-file', 'no-such-file']);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /no-such-file: cannot be read \(ENOENT\)/);
});

test('ls options: argv, then EDDY_UFS_OPTIONS, then the option file (or $EDDY_UFS_OPTION_FILE), later ones win', async () => {
  const { resolveLsOptions } = await import('../src/actions/ls-options.js');
  await writeFile(join(dir, 'opts'), 'fs.s3.endpoint=http://file\nfs.s3.accessKeySecret=s3cret=with=equals\n');
  const io = { env: { EDDY_UFS_OPTIONS: 'fs.s3.region=env\nfs.s3.endpoint=http://env' }, cwd: dir } as const;
  const got = await resolveLsOptions({ ...io, stdout: process.stdout, stderr: process.stderr, stdin: Readable.from([]) },
    { option: { 'fs.s3.region': 'argv', 'fs.s3.pathStyle': 'true' }, optionFile: 'opts' });
  assert.deepEqual(got, { 'fs.s3.region': 'env', 'fs.s3.pathStyle': 'true', 'fs.s3.endpoint': 'http://file', 'fs.s3.accessKeySecret': 's3cret=with=equals' });
  const viaEnvFile = await resolveLsOptions({ ...io, env: { EDDY_UFS_OPTION_FILE: join(dir, 'opts') }, stdout: process.stdout, stderr: process.stderr, stdin: Readable.from([]) },
    { option: {} });
  assert.equal(viaEnvFile['fs.s3.accessKeySecret'], 's3cret=with=equals');
});

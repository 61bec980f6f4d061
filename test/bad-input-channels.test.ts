// Issue 8, bad input against real processes (`eddy master`, `eddy worker`, `eddy mount`): paths
// with '..', NUL or control characters, crafted block keys and refs naming files outside the
// mount, a symlink pointing out of a file:// mount, and oversized messages on both channels. Each
// is refused with a typed error (or left unlisted), nothing outside the mount's root is ever
// served, and the servers keep serving afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { DataChannelClient, FrameDecoder, FrameType, SERVER_FRAME_TYPES, createMasterClient, createWorkerClient, encodeFrameHeader, encodeMessage, loadEddyProto, parseMessage, TOKEN_METADATA_KEY, MAX_RPC_MESSAGE_BYTES, type MasterRpc, type proto } from '@eddy/protocol';
import { EddyError, blockKey } from '@eddy/core';
import { fileVersion } from '@eddy/ufs';
import { EddyProcess, eventually, CleanupStack, forceUnmount, startProcCluster, type ProcCluster } from '@eddy/test-cluster';

const cleanup = new CleanupStack();
after(async () => { await cleanup.run(); });

const TOKEN = 'bad-input-token-2c9d';
const DATA = Buffer.from(Array.from({ length: 200_000 }, (_v, i) => (i * 13) & 0xff));
const OUTSIDE = 'OUTSIDE-THE-MOUNT-d41f';
const ACCEPTABLE = new Set(['INVALID_ARGUMENT', 'NOT_FOUND', 'ACCESS_DENIED', 'PROTOCOL']);

let c: ProcCluster;
let rpc: MasterRpc;
let goodRef: proto.BlockRef;

before(async () => {
  c = await startProcCluster({
    token: TOKEN, files: { 'f.bin': DATA, 'sub/g.txt': Buffer.from('hello') },
    prepare: async ({ dir, ufsDir }) => {
      await writeFile(join(dir, 'outside.txt'), OUTSIDE);
      await symlink(join(dir, 'outside.txt'), join(ufsDir, 'escape.txt'));
      await symlink('../outside.txt', join(ufsDir, 'escape-rel.txt'));
      await symlink(dir, join(ufsDir, 'escape-dir'));
    },
  });
  cleanup.add('cluster', () => c.close());
  rpc = createMasterClient(c.masterAddress, { token: TOKEN });
  cleanup.add('master client', () => rpc.close());
  const loc = await rpc.getBlockLocations({ dataset: 'demo', path: '/f.bin', version: '', offset: 0, length: 0 });
  goodRef = { key: loc.blocks[0]!.key, dataset: 'demo', path: '/f.bin', version: loc.info!.version, index: 0, blockSize: loc.blockSize, fileSize: loc.info!.size };
});

async function assertStillServing(): Promise<void> {
  assert.ok(c.master.running && c.worker.running, 'master and worker processes are alive');
  assert.equal((await rpc.listWorkers({})).workers.filter((w) => w.live).length, 1);
  const dc = new DataChannelClient(c.workerDataAddress, { token: TOKEN });
  try {
    assert.ok((await dc.readBlock(goodRef, 0, DATA.length)).equals(DATA));
  } finally {
    await dc.close();
  }
}

function refused(what: string) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof EddyError, `${what}: not typed: ${String(e)}`);
    assert.ok(ACCEPTABLE.has(e.code), `${what}: ${e.code} ${e.message}`);
    assert.ok(!e.message.includes(OUTSIDE));
    return true;
  };
}

const HOSTILE_PATHS = [
  '/../outside.txt', '..', '../outside.txt', '/f.bin/..', '/./f.bin', '/sub/../../outside.txt', '/f.bin\0', '\0', '/f.bin\0/../../outside.txt',
  '/%2e%2e/outside.txt', '/..\\outside.txt', '/sub/\u0001', '/\u001b[31m', `/${'x'.repeat(100_000)}`, '/escape-dir/outside.txt',
];

test('master Stat/List/GetBlockLocations refuse or miss paths with .., NUL, control characters; names outside the mount never resolve', { timeout: 60_000 }, async () => {
  for (const path of HOSTILE_PATHS) {
    await assert.rejects(rpc.stat({ dataset: 'demo', path }), refused(`stat ${JSON.stringify(path).slice(0, 40)}`));
    await assert.rejects(rpc.list({ dataset: 'demo', path, pageToken: '', pageSize: 0 }), refused(`list ${JSON.stringify(path).slice(0, 40)}`));
    await assert.rejects(rpc.getBlockLocations({ dataset: 'demo', path, version: '', offset: 0, length: 0 }), refused(`locations ${JSON.stringify(path).slice(0, 40)}`));
  }
  for (const dataset of ['../demo', 'demo/..', 'demo\0', '', '/demo', 'DEMO']) {
    await assert.rejects(rpc.stat({ dataset, path: '/f.bin' }), refused(`dataset ${JSON.stringify(dataset)}`));
  }
  // A relative path is read as relative to the dataset root, never to anything else.
  assert.equal((await rpc.stat({ dataset: 'demo', path: 'f.bin' })).info?.path, '/f.bin');
  // The listing holds the mount's own files; the directory symlink pointing outside is not followed.
  const all = (await rpc.list({ dataset: 'demo', path: '/', pageToken: '', pageSize: 0 })).entries.map((e) => e.path);
  assert.ok(all.includes('/f.bin') && all.includes('/sub'));
  assert.ok(!all.some((p) => p.includes('outside')), JSON.stringify(all));
  await assert.rejects(rpc.list({ dataset: 'demo', path: '/escape-dir', pageToken: '', pageSize: 0 }), refused('list /escape-dir'));
  await assertStillServing();
});

test('oversized gRPC messages are refused with RESOURCE_EXHAUSTED by master and worker, which keep serving', { timeout: 60_000 }, async () => {
  const huge = 'x'.repeat(MAX_RPC_MESSAGE_BYTES + 1024);
  // The typed client refuses to send it at all.
  await assert.rejects(rpc.apply({ manifests: huge }), (e: unknown) => e instanceof EddyError);
  // A raw client with no send limit: the servers refuse it on receipt.
  const md = new grpc.Metadata();
  md.set(TOKEN_METADATA_KEY, TOKEN);
  const opts = { 'grpc.max_send_message_length': -1 };
  type Raw = grpc.Client & Record<string, (req: object, md: grpc.Metadata, o: grpc.CallOptions, cb: (err: grpc.ServiceError | null) => void) => void>;
  const { master, worker } = loadEddyProto();
  const rawMaster = new (master.eddy.v1.Master as unknown as new (a: string, c: grpc.ChannelCredentials, o: object) => Raw)(c.masterAddress,
    grpc.credentials.createInsecure(), opts);
  const rawWorker = new (worker.eddy.v1.Worker as unknown as new (a: string, c: grpc.ChannelCredentials, o: object) => Raw)(c.workerGrpcAddress,
    grpc.credentials.createInsecure(), opts);
  const call = (client: Raw, method: string, req: object): Promise<grpc.status> => new Promise((resolve) => {
    client[method]!.call(client, req, md, { deadline: Date.now() + 20_000 }, (err) => resolve(err ? err.code : grpc.status.OK));
  });
  try {
    assert.equal(await call(rawMaster, 'apply', { manifests: huge }), grpc.status.RESOURCE_EXHAUSTED);
    assert.equal(await call(rawMaster, 'stat', { dataset: 'demo', path: `/${huge}` }), grpc.status.RESOURCE_EXHAUSTED);
    assert.equal(await call(rawWorker, 'freeBlocks', { keys: [huge] }), grpc.status.RESOURCE_EXHAUSTED);
    // The same raw clients still work for normal-sized calls.
    assert.equal(await call(rawMaster, 'listWorkers', {}), grpc.status.OK);
    assert.equal(await call(rawWorker, 'getStats', {}), grpc.status.OK);
  } finally {
    rawMaster.close();
    rawWorker.close();
  }
  const w = createWorkerClient(c.workerGrpcAddress, { token: TOKEN });
  assert.ok((await w.getStats({})).tiers.length >= 1);
  w.close();
  await assertStillServing();
});

interface RawResult { frames: { type: number; payload: Buffer }[]; closed: boolean; ms: number }

/** One plain connection to the worker's data channel: writes `chunks`, collects frames until close or `timeoutMs`. */
async function raw(chunks: Buffer[], timeoutMs = 5_000, replies = Infinity): Promise<RawResult> {
  const TERMINAL: number[] = [FrameType.END, FrameType.ERROR, FrameType.LOCAL_OK, FrameType.LOCAL_MISS];
  const i = c.workerDataAddress.lastIndexOf(':');
  const socket = netConnect({ host: c.workerDataAddress.slice(0, i), port: Number(c.workerDataAddress.slice(i + 1)) });
  const decoder = new FrameDecoder({ accept: SERVER_FRAME_TYPES });
  const frames: { type: number; payload: Buffer }[] = [];
  const started = Date.now();
  return await new Promise((resolve) => {
    const timer = setTimeout(() => { socket.destroy(); resolve({ frames, closed: false, ms: Date.now() - started }); }, timeoutMs);
    socket.on('data', (d: Buffer) => {
      try { for (const f of decoder.push(d)) frames.push({ type: f.type, payload: Buffer.from(f.payload) }); } catch { /* judged by the test */ }
      // Every request answered: stop here rather than wait for a close that need not come.
      if (frames.filter((f) => TERMINAL.includes(f.type)).length >= replies) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => { clearTimeout(timer); resolve({ frames, closed: true, ms: Date.now() - started }); });
    socket.on('connect', () => { for (const ch of chunks) socket.write(ch); });
  });
}

const hello = (): Buffer => encodeMessage(FrameType.HELLO, { version: 1, token: TOKEN });
type WireRef = { key: string; dataset: string; path: string; version: string; index: number; blockSize: number; fileSize: number };
const readOf = (ref: WireRef, length = 100): Buffer => encodeMessage(FrameType.READ, { ref, offset: 0, length });

function errorCode(r: RawResult): string | undefined {
  const e = r.frames.find((f) => f.type === FrameType.ERROR);
  return e ? parseMessage(FrameType.ERROR, e.payload).code : undefined;
}

function noOutsideBytes(r: RawResult): void {
  // A READ_HEADER may precede the ERROR (the worker announces a read-through before resolving
  // the path); what must never come is a DATA frame or a local pin.
  assert.ok(!r.frames.some((f) => f.type === FrameType.DATA || f.type === FrameType.LOCAL_OK), JSON.stringify(r.frames.map((f) => f.type)));
  assert.ok(!Buffer.concat(r.frames.map((f) => f.payload)).includes(OUTSIDE));
}

test('worker data channel: crafted keys and refs naming files outside the mount are refused; nothing outside is served', { timeout: 60_000 }, async () => {
  const base: WireRef = { key: goodRef.key!, dataset: 'demo', path: '/f.bin', version: goodRef.version!, index: 0, blockSize: Number(goodRef.blockSize), fileSize: Number(goodRef.fileSize) };
  // Keys that would be file names outside the tier directory.
  for (const key of ['../../etc/passwd', '../../../../../../etc/passwd', '/etc/passwd', `${'a'.repeat(62)}/..`, '..', 'ab/../../x', `${goodRef.key!.slice(0, 63)}\0`]) {
    for (const type of ['READ', 'LOCAL'] as const) {
      const frame = type === 'READ' ? readOf({ ...base, key }) : encodeMessage(FrameType.LOCAL, { ref: { ...base, key } });
      const r = await raw([hello(), frame], 5_000, 1);
      assert.equal(r.frames[0]?.type, FrameType.HELLO_OK);
      noOutsideBytes(r);
      assert.ok(ACCEPTABLE.has(errorCode(r) ?? ''), `${type} key ${JSON.stringify(key)}: ${errorCode(r)}`);
    }
  }
  // A key that does not match its tuple (someone else's block under this key) is refused.
  assert.equal(errorCode(await raw([hello(), readOf({ ...base, path: '/sub/g.txt' })], 5_000, 1)), 'INVALID_ARGUMENT');

  // Refs whose key honestly matches a path that climbs out of the mount, or a symlink out of it.
  const outsideVersion = fileVersion(await stat(join(c.dir, 'outside.txt'), { bigint: true }));
  const escapes: WireRef[] = [];
  for (const path of ['/../outside.txt', '/sub/../../outside.txt', '/escape.txt', '/escape-rel.txt', '/escape-dir/outside.txt', '/./f.bin', '/f.bin\0']) {
    for (const version of [outsideVersion, goodRef.version!]) {
      const ref = { key: blockKey('demo', path, version, 0, Number(goodRef.blockSize)), dataset: 'demo', path, version, index: 0, blockSize: Number(goodRef.blockSize), fileSize: OUTSIDE.length };
      escapes.push(ref);
    }
  }
  for (const ref of escapes) {
    const r = await raw([hello(), readOf(ref), encodeMessage(FrameType.LOCAL, { ref })], 5_000, 2);
    noOutsideBytes(r);
    assert.ok(ACCEPTABLE.has(errorCode(r) ?? ''), `${JSON.stringify(ref.path)}: ${errorCode(r)}`);
  }
  // ...and through the client, which must reject with a typed error.
  const dc = new DataChannelClient(c.workerDataAddress, { token: TOKEN });
  for (const ref of escapes.slice(0, 6)) await assert.rejects(dc.readBlock(ref, 0, 100), refused(ref.path));
  await dc.close();
  // The tier directory holds only block files named by hex keys.
  const walk = async (d: string): Promise<string[]> => (await readdir(d, { withFileTypes: true })).flatMap((e) => [join(d, e.name)]).concat(
    ...(await Promise.all((await readdir(d, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => walk(join(d, e.name))))));
  for (const f of await walk(c.tierDir)) {
    const st = await stat(f);
    if (st.isFile()) assert.match(f.slice(c.tierDir.length), /^\/eddy\/demo\/[0-9a-f]{2}\/[0-9a-f]{64}\.[0-9a-f]{8}$/, f);
  }
  await assertStillServing();
});

test('worker data channel: oversized, unknown and malformed frames close the connection quickly; the worker keeps serving', { timeout: 60_000 }, async () => {
  const cases: Array<[string, Buffer[]]> = [
    ['4 GiB HELLO header', [encodeFrameHeader(FrameType.HELLO, 0xffffffff)]],
    ['65 KiB HELLO sent in full', [encodeFrameHeader(FrameType.HELLO, 65 * 1024 + 1), Buffer.alloc(65 * 1024 + 1, 0x20)]],
    ['4 GiB READ after HELLO', [hello(), encodeFrameHeader(FrameType.READ, 0xffffffff)]],
    ['1 GiB DATA from a client', [hello(), encodeFrameHeader(FrameType.DATA, 1 << 30)]],
    ['server frame type from a client', [hello(), encodeMessage(FrameType.HELLO_OK, { version: 1 })]],
    ['unknown frame type', [hello(), Buffer.concat([encodeFrameHeader(200 as FrameType, 2), Buffer.from('{}')])]],
    ['READ that is not JSON', [hello(), Buffer.concat([encodeFrameHeader(FrameType.READ, 3), Buffer.from('{{{')])]],
    ['HELLO with a wrong version', [encodeMessage(FrameType.HELLO, { version: 999, token: TOKEN })]],
    ['random bytes', [Buffer.from(Array.from({ length: 4096 }, (_v, i) => (i * 31 + 7) & 0xff))]],
  ];
  for (const [what, chunks] of cases) {
    const r = await raw(chunks, 5_000);
    assert.ok(r.closed, `${what}: the worker closed the connection`);
    assert.ok(r.ms < 3_000, `${what}: closed after ${r.ms} ms`);
    assert.ok(!r.frames.some((f) => f.type === FrameType.DATA), what);
  }
  // Fifty hostile connections at once, then normal service.
  const storm = await Promise.all(Array.from({ length: 50 }, (_v, i) => raw([i % 2 ? encodeFrameHeader(FrameType.READ, 0xfffffff0) : Buffer.alloc(9,
    i)], 5_000)));
  assert.ok(storm.every((r) => r.closed || r.frames.length === 0));
  await assertStillServing();
});

test('FUSE: hostile names miss, a symlink out of the mount does not leak, good files read; the mount keeps serving', { timeout: 90_000 }, async () => {
  const mnt = join(c.dir, 'mnt');
  const mount = new EddyProcess(['mount', mnt, '--dataset', 'demo', '--master', c.masterAddress, '--token-file', c.tokenFile]);
  cleanup.add('mount', async () => { await mount.stop('SIGINT'); forceUnmount(mnt); });
  await mount.waitForOutput(/mounted dataset demo/, 30_000);
  const names = await readdir(mnt);
  assert.ok(names.includes('f.bin') && names.includes('sub'), JSON.stringify(names));
  assert.ok(!names.some((n) => n.includes('outside')));
  for (const name of ['\u0001', 'f.bin\u001b', '%2e%2e', '..\\outside.txt', 'a'.repeat(255), 'sub/\u007f']) {
    await assert.rejects(stat(join(mnt, name)), (e: NodeJS.ErrnoException) => e.code === 'ENOENT', JSON.stringify(name));
  }
  await assert.rejects(stat(join(mnt, 'a'.repeat(300))), (e: NodeJS.ErrnoException) => e.code === 'ENAMETOOLONG' || e.code === 'ENOENT');
  // If the symlinked names are listed at all, reading them never yields the outside bytes.
  for (const name of ['escape.txt', 'escape-rel.txt']) {
    let got: Buffer | undefined;
    try { got = await readFile(join(mnt, name)); } catch (e) { assert.ok(['EIO', 'ENOENT', 'EACCES', 'EPERM'].includes((e as NodeJS.ErrnoException).code ?? ''), String(e)); }
    assert.ok(!got || !got.includes(OUTSIDE), `${name} leaked`);
  }
  await assert.rejects(readdir(join(mnt, 'escape-dir')), (e: NodeJS.ErrnoException) => ['ENOENT', 'ENOTDIR', 'EIO'].includes(e.code ?? ''));
  assert.ok((await readFile(join(mnt, 'f.bin'))).equals(DATA));
  assert.equal(await readFile(join(mnt, 'sub', 'g.txt'), 'utf8'), 'hello');
  assert.ok(!(mount.stdout + mount.stderr).includes(OUTSIDE));
  const stopped = await mount.stop('SIGINT');
  assert.equal(stopped.code, 0, stopped.stderr);
  await eventually('unmounted', 10_000, async () => ((await readFile('/proc/mounts', 'utf8')).includes(mnt) ? undefined : true));
});

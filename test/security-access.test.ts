// Issue 8, access: the cluster token is required on the control plane (a real `eddy master`
// process) and on the data channel (a real `eddy worker` process): no token, a wrong token and the
// right one. With --tls-cert/--tls-key both channels speak TLS only, and clients verify the CA.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { DataChannelClient, FrameDecoder, FrameType, SERVER_FRAME_TYPES, createMasterClient, createWorkerClient, encodeMessage, loadEddyProto, parseMessage, type proto } from '@eddy/protocol';
import { UnauthenticatedError, EddyError } from '@eddy/core';
import { createTlsFixture } from '@eddy/testkit';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EddyProcess, runEddy, forceUnmount, CleanupStack, startProcCluster, type ProcCluster } from '@eddy/test-cluster';

const cleanup = new CleanupStack();
after(async () => { await cleanup.run(); });

const TOKEN = 'access-test-token-5b1e';
const DATA = Buffer.from(Array.from({ length: 300_000 }, (_v, i) => (i * 7) & 0xff));

async function firstBlockRef(c: ProcCluster): Promise<proto.BlockRef> {
  const rpc = createMasterClient(c.masterAddress, c.security);
  try {
    const loc = await rpc.getBlockLocations({ dataset: 'demo', path: '/f.bin', version: '', offset: 0, length: 0 });
    return { key: loc.blocks[0]!.key, dataset: 'demo', path: '/f.bin', version: loc.info!.version, index: 0, blockSize: loc.blockSize, fileSize: loc.info!.size };
  } finally {
    rpc.close();
  }
}

/** A raw Master.ListWorkers call with no token metadata at all. */
async function callWithoutMetadata(address: string, creds: grpc.ChannelCredentials): Promise<grpc.status> {
  type RawClient = grpc.Client & { listWorkers: (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null) => void) => void };
  const Ctor = loadEddyProto().master.eddy.v1.Master as unknown as new (a: string, c: grpc.ChannelCredentials) => RawClient;
  const client = new Ctor(address, creds);
  try {
    return await new Promise((resolve) => {
      client.listWorkers({}, new grpc.Metadata(), { deadline: Date.now() + 5_000 }, (err) => resolve(err ? err.code : grpc.status.OK));
    });
  } finally {
    client.close();
  }
}

/** Sends raw frames on a plain TCP socket; returns the frames the worker sent before closing. */
async function rawExchange(address: string, frames: Buffer[], timeoutMs = 5_000): Promise<{ frames: { type: number; payload: Buffer }[]; closed: boolean }> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  const socket = netConnect({ host, port });
  const decoder = new FrameDecoder({ accept: SERVER_FRAME_TYPES });
  const got: { type: number; payload: Buffer }[] = [];
  return await new Promise((resolve) => {
    const timer = setTimeout(() => { socket.destroy(); resolve({ frames: got, closed: false }); }, timeoutMs);
    socket.on('data', (d: Buffer) => { for (const f of decoder.push(d)) got.push({ type: f.type, payload: Buffer.from(f.payload) }); });
    socket.on('error', () => undefined);
    socket.on('close', () => { clearTimeout(timer); resolve({ frames: got, closed: true }); });
    socket.on('connect', () => { for (const f of frames) socket.write(f); });
  });
}

test('the cluster token on the control plane and the data channel: none, wrong, right', { timeout: 120_000 }, async () => {
  const c = await startProcCluster({ token: TOKEN, files: { 'f.bin': DATA } });
  cleanup.add('plain cluster', () => c.close());

  // Control plane, master process.
  assert.equal(await callWithoutMetadata(c.masterAddress, grpc.credentials.createInsecure()), grpc.status.UNAUTHENTICATED);
  for (const token of ['wrong-token', `${TOKEN}x`, TOKEN.slice(0, -1), ' ']) {
    const bad = createMasterClient(c.masterAddress, { token });
    await assert.rejects(bad.listWorkers({}), UnauthenticatedError, `token ${JSON.stringify(token)}`);
    await assert.rejects(bad.get({ kind: 'dataset', name: '' }), UnauthenticatedError);
    await assert.rejects(bad.apply({ manifests: 'apiVersion: v1\nkind: Secret\nmetadata: {name: x}\nstringData: {a: b}\n' }), UnauthenticatedError);
    bad.close();
  }
  const good = createMasterClient(c.masterAddress, { token: TOKEN });
  cleanup.add('good client', () => good.close());
  assert.equal((await good.listWorkers({})).workers.length, 1);
  // The rejected apply above did not create anything.
  assert.equal((await good.get({ kind: 'secret', name: '' })).resources.length, 0);

  // Control plane, worker process.
  const wBad = createWorkerClient(c.workerGrpcAddress, { token: 'nope' });
  await assert.rejects(wBad.getStats({}), UnauthenticatedError);
  wBad.close();
  const wGood = createWorkerClient(c.workerGrpcAddress, { token: TOKEN });
  assert.ok((await wGood.getStats({})).tiers.length >= 1);
  wGood.close();

  // The CLI with a wrong token file fails with a clear message that does not echo either token.
  const wrongFile = `${c.dir}/wrong-token`;
  await writeFile(wrongFile, 'wrong-token-value-93\n', { mode: 0o600 });
  const cli = await runEddy(['get', 'dataset'], { env: { EDDY_MASTER: c.masterAddress, EDDY_TOKEN_FILE: wrongFile } });
  assert.notEqual(cli.code, 0);
  assert.match(cli.stderr, /token/i);
  assert.ok(!`${cli.stdout}${cli.stderr}`.includes('wrong-token-value-93'));
  assert.ok(!`${cli.stdout}${cli.stderr}`.includes(TOKEN));

  // Data channel: through the client...
  const ref = await firstBlockRef(c);
  for (const token of ['', 'wrong-token']) {
    const dc = new DataChannelClient(c.workerDataAddress, { token, connectTimeoutMs: 3_000 });
    await assert.rejects(dc.readBlock(ref, 0, 100), (e: unknown) => e instanceof EddyError && e.code === 'UNAUTHENTICATED', `token ${JSON.stringify(token)}`);
    await dc.close();
  }
  const dc = new DataChannelClient(c.workerDataAddress, { token: TOKEN });
  cleanup.add('data client', () => dc.close());
  assert.ok((await dc.readBlock(ref, 0, DATA.length)).equals(DATA));

  // ...and raw: HELLO without a token field, a READ before HELLO, then the right token.
  const read = encodeMessage(FrameType.READ, { ref: { key: ref.key!, dataset: 'demo', path: '/f.bin', version: ref.version!, index: 0, blockSize: Number(ref.blockSize), fileSize: Number(ref.fileSize) }, offset: 0, length: 10 });
  const noToken = await rawExchange(c.workerDataAddress, [encodeMessage(FrameType.HELLO, { version: 1 }), read]);
  assert.ok(noToken.closed, 'connection closed after a HELLO without token');
  assert.deepEqual(noToken.frames.map((f) => f.type), [FrameType.ERROR]);
  assert.equal(parseMessage(FrameType.ERROR, noToken.frames[0]!.payload).code, 'UNAUTHENTICATED');
  const readFirst = await rawExchange(c.workerDataAddress, [read]);
  assert.ok(readFirst.closed);
  assert.ok(!readFirst.frames.some((f) => f.type === FrameType.DATA || f.type === FrameType.READ_HEADER), 'no bytes before HELLO');
  const ok = await rawExchange(c.workerDataAddress, [encodeMessage(FrameType.HELLO, { version: 1, token: TOKEN }), read], 2_000);
  assert.deepEqual(ok.frames.map((f) => f.type), [FrameType.HELLO_OK, FrameType.READ_HEADER, FrameType.DATA, FrameType.END]);
  assert.ok(ok.frames[2]!.payload.equals(DATA.subarray(0, 10)));

  // Neither token value reached the logs.
  for (const out of [c.master.stdout, c.master.stderr, c.worker.stdout, c.worker.stderr]) {
    assert.ok(!out.includes(TOKEN), 'the cluster token is not logged');
    assert.ok(!out.includes('wrong-token'), 'a presented token is not logged');
  }
  assert.match(c.master.stderr + c.master.stdout, /rejected call/);
  assert.match(c.worker.stderr + c.worker.stdout, /rejected data channel connection/);

  // A worker started with the wrong token is refused by the master and never listed.
  const rogue = new EddyProcess(['worker', '--master', c.masterAddress, '--runtime', 'demo', '--listen', '127.0.0.1:0', '--token-file', wrongFile,
    '--tier', `MEM:${c.dir}/rogue-tier:16Mi`, '--heartbeat-ms', '300', '--worker-id', 'rogue'], { env: { EDDY_LOG_LEVEL: 'info' } });
  cleanup.add('rogue worker', () => rogue.stop('SIGKILL'));
  await new Promise((r) => setTimeout(r, 3_000));
  assert.ok(!(await good.listWorkers({})).workers.some((w) => w.address?.workerId === 'rogue'));
  await rogue.stop('SIGKILL');
  assert.ok(!(rogue.stdout + rogue.stderr).includes('wrong-token-value-93'));
});

test('TLS on both channels when cert/key are given: TLS clients with the CA work, plaintext and untrusted clients fail', { timeout: 120_000 }, async () => {
  const fx = createTlsFixture();
  cleanup.add('tls fixture', () => fx.cleanup());
  const other = createTlsFixture();
  cleanup.add('other tls fixture', () => other.cleanup());
  // The worker registers with the master over TLS (it verifies the master with --tls-ca).
  const c = await startProcCluster({ token: TOKEN, tls: fx, files: { 'f.bin': DATA } });
  cleanup.add('tls cluster', () => c.close());

  const tlsClient = createMasterClient(c.masterAddress, c.security);
  assert.equal((await tlsClient.listWorkers({})).workers.length, 1);
  tlsClient.close();

  // The CLI's client commands: --tls-ca (or EDDY_TLS_CA) verifies the master; without it they fail.
  const cliEnv = { EDDY_MASTER: c.masterAddress, EDDY_TOKEN_FILE: c.tokenFile };
  const viaFlag = await runEddy(['get', 'worker', '-o', 'json', '--tls-ca', fx.caFile], { env: cliEnv });
  assert.equal(viaFlag.code, 0, viaFlag.stderr);
  assert.equal((JSON.parse(viaFlag.stdout) as { items: unknown[] }).items.length, 1);
  const viaEnv = await runEddy(['describe', 'dataset', 'demo'], { env: { ...cliEnv, EDDY_TLS_CA: fx.caFile } });
  assert.equal(viaEnv.code, 0, viaEnv.stderr);
  const noCa = await runEddy(['get', 'dataset'], { env: cliEnv, timeoutMs: 40_000 });
  assert.notEqual(noCa.code, 0);
  assert.match(noCa.stderr, /master/);
  const wrongCa = await runEddy(['get', 'dataset', '--tls-ca', other.caFile], { env: cliEnv, timeoutMs: 40_000 });
  assert.notEqual(wrongCa.code, 0);

  // Plaintext gRPC to a TLS master fails; so does TLS trusting another CA.
  const plain = createMasterClient(c.masterAddress, { token: TOKEN });
  await assert.rejects(plain.listWorkers({}, { timeoutMs: 3_000 }), EddyError);
  plain.close();
  const untrusted = createMasterClient(c.masterAddress, { token: TOKEN, tls: { cert: Buffer.alloc(0), key: Buffer.alloc(0), ca: other.ca } });
  await assert.rejects(untrusted.listWorkers({}, { timeoutMs: 3_000 }), EddyError);
  untrusted.close();
  // TLS without a token is still refused.
  assert.equal(await callWithoutMetadata(c.masterAddress, grpc.credentials.createSsl(fx.ca)), grpc.status.UNAUTHENTICATED);

  // Data channel: TLS with the CA reads; plaintext gets no frames; another CA fails the handshake.
  const ref = await firstBlockRef(c);
  const dc = new DataChannelClient(c.workerDataAddress, { token: TOKEN, tls: { ca: fx.ca } });
  cleanup.add('tls data client', () => dc.close());
  assert.ok((await dc.readBlock(ref, 0, DATA.length)).equals(DATA));
  const plainRaw = await rawExchange(c.workerDataAddress, [encodeMessage(FrameType.HELLO, { version: 1, token: TOKEN })], 3_000);
  assert.deepEqual(plainRaw.frames, [], 'a TLS worker answers no plaintext HELLO');
  const plainDc = new DataChannelClient(c.workerDataAddress, { token: TOKEN, connectTimeoutMs: 2_000 });
  await assert.rejects(plainDc.readBlock(ref, 0, 100, { timeoutMs: 3_000 }), EddyError);
  await plainDc.close();
  const untrustedDc = new DataChannelClient(c.workerDataAddress, { token: TOKEN, tls: { ca: other.ca }, connectTimeoutMs: 2_000 });
  await assert.rejects(untrustedDc.readBlock(ref, 0, 100, { timeoutMs: 3_000 }), EddyError);
  await untrustedDc.close();
  // TLS with the right CA but the wrong token is still refused.
  const wrongTokenDc = new DataChannelClient(c.workerDataAddress, { token: 'wrong', tls: { ca: fx.ca } });
  await assert.rejects(wrongTokenDc.readBlock(ref, 0, 100), (e: unknown) => e instanceof EddyError && e.code === 'UNAUTHENTICATED');
  await wrongTokenDc.close();

  // The FUSE client over TLS on both channels (--tls-ca): bytes come through the worker.
  const mnt = join(c.dir, 'mnt');
  const mount = new EddyProcess(['mount', mnt, '--dataset', 'demo', '--master', c.masterAddress, '--token-file', c.tokenFile, '--tls-ca', fx.caFile]);
  cleanup.add('tls mount', async () => { await mount.stop('SIGINT'); forceUnmount(mnt); });
  await mount.waitForOutput(/mounted dataset demo/, 30_000);
  assert.ok((await readFile(join(mnt, 'f.bin'))).equals(DATA));
  const stats = createWorkerClient(c.workerGrpcAddress, c.security);
  assert.ok(((await stats.getStats({})).counters?.hits ?? 0) + ((await stats.getStats({})).counters?.misses ?? 0) > 0, 'the read went through the worker');
  stats.close();
  const stopped = await mount.stop('SIGINT');
  assert.equal(stopped.code, 0, stopped.stderr);
  // Without the CA the mount cannot even reach the master.
  const noCaMount = new EddyProcess(['mount', join(c.dir, 'mnt2'), '--dataset', 'demo', '--master', c.masterAddress, '--token-file', c.tokenFile]);
  cleanup.add('no-ca mount', async () => { await noCaMount.stop('SIGKILL'); forceUnmount(join(c.dir, 'mnt2')); });
  const r = await noCaMount.wait(60_000);
  assert.notEqual(r.code, 0);
});

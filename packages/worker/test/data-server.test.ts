// The block data channel end to end over loopback: reads (cached and read-through), local pins,
// typed errors, and (f) bad frames and tokens rejected while the worker keeps serving.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { writeFile, stat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataChannelClient, FrameDecoder, FrameType, SERVER_FRAME_TYPES, encodeFrame, encodeMessage, parseMessage, type proto } from '@eddy/protocol';
import { fileVersion } from '@eddy/ufs';
import { NotFoundError, UnauthenticatedError } from '@eddy/core';
import { createTlsFixture, waitFor } from '@eddy/testkit';
import { crc32c } from '@node-rs/crc32';
import { DataServer } from '../src/index.js';
import { CountingUfs, bytesFor, makeNode, refsFor, tempDir, type TestNode } from './helpers.js';

const BS = 1024 * 1024;
const TOKEN = 'data-channel-test-token';
let node: TestNode;
let server: DataServer;
let address: string;
let data: Buffer;
let refs: proto.BlockRef__Output[];
const dirs: Array<{ cleanup(): Promise<void> }> = [];

before(async () => {
  const ufsDir = await tempDir('eddy-ufs-');
  const tier = await tempDir();
  dirs.push(ufsDir, tier);
  data = bytesFor('dc', 3 * BS + 777);
  await writeFile(join(ufsDir.path, 'f.bin'), data);
  const version = fileVersion(await stat(join(ufsDir.path, 'f.bin'), { bigint: true }));
  refs = refsFor('/f.bin', version, data.length, BS);
  node = await makeNode({
    tiers: [{ medium: 'MEM', path: tier.path, quotaBytes: 32 * BS, high: 0.95, low: 0.8 }],
    mount: { url: `file://${ufsDir.path}` },
    wrap: (u) => new CountingUfs(u),
  });
  server = await DataServer.start({ listen: '127.0.0.1:0', security: { token: TOKEN }, blocks: node.service, hostId: 'host-a', helloTimeoutMs: 500 });
  address = `127.0.0.1:${server.port}`;
});

after(async () => {
  await server.close(100);
  await node.close();
  for (const d of dirs) await d.cleanup();
});

test('readBlock reads through on a miss, then from the cache; ranges are clipped to the block', async () => {
  const client = new DataChannelClient(address, { token: TOKEN, maxConnections: 2 });
  try {
    const b0 = await client.readBlock(refs[0]!, 0, BS);
    assert.ok(b0.equals(data.subarray(0, BS)));
    const part = await client.readBlock(refs[0]!, 1000, 5000);
    assert.ok(part.equals(data.subarray(1000, 6000)));
    const last = await client.readBlock(refs[3]!, 100, BS);
    assert.ok(last.equals(data.subarray(3 * BS + 100)), 'clipped at the end of the short last block');
    // Four reads over two pooled connections.
    const all = await Promise.all(refs.map((r) => client.readBlock(r, 0, BS)));
    assert.ok(Buffer.concat(all).equals(data));
    assert.ok(node.service.counters.hits >= 2);
    assert.ok(server.connectionCount <= 2 + 1);
  } finally { await client.close(); await client.close(); }
});

test('readBlock with `into` reads into the caller\'s buffer, reused across reads; a buffer too small is refused', async () => {
  const client = new DataChannelClient(address, { token: TOKEN, maxConnections: 1 });
  try {
    const into = Buffer.alloc(BS);
    for (const [ref, offset] of [[refs[1]!, 0], [refs[2]!, 7], [refs[3]!, 100]] as const) {
      const got = await client.readBlock(ref, offset, BS, { into });
      assert.equal(got.buffer, into.buffer, 'a view of the caller\'s buffer');
      const start = ref.index * BS + offset;
      assert.ok(got.equals(data.subarray(start, Math.min(data.length, (ref.index + 1) * BS))));
    }
    await assert.rejects(client.readBlock(refs[0]!, 0, BS, { into: Buffer.alloc(BS - 1) }), /into holds/);
    // The connection is still good after the refusal (it was never sent).
    assert.ok((await client.readBlock(refs[0]!, 0, 10)).equals(data.subarray(0, 10)));
  } finally { await client.close(); }
});

/** One READ on a raw connection: the bytes and the END frame's message. */
async function rawRead(ref: proto.BlockRef__Output, offset: number, length: number, verify: boolean): Promise<{ bytes: Buffer; crc?: number | undefined }> {
  const socket = connect(server.port, '127.0.0.1');
  const decoder = new FrameDecoder({ accept: SERVER_FRAME_TYPES });
  const parts: Buffer[] = [];
  try {
    return await new Promise((resolve, reject) => {
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        for (const f of decoder.push(chunk)) {
          const read = { ref: wireRef(ref), offset, length, ...(verify ? { verify } : {}) };
          if (f.type === FrameType.HELLO_OK) socket.write(encodeMessage(FrameType.READ, read));
          else if (f.type === FrameType.DATA) parts.push(Buffer.from(f.payload));
          else if (f.type === FrameType.END) resolve({ bytes: Buffer.concat(parts), crc: parseMessage(FrameType.END, f.payload).crc32c });
          else if (f.type === FrameType.ERROR) reject(new Error(f.payload.toString()));
        }
      });
      socket.write(encodeMessage(FrameType.HELLO, { version: 1, token: TOKEN }));
    });
  } finally {
    socket.destroy();
  }
}

type WireRef = { key: string; dataset: string; path: string; version: string; index: number; blockSize: number; fileSize: number };

function wireRef(r: proto.BlockRef__Output): WireRef {
  return { key: r.key, dataset: r.dataset, path: r.path, version: r.version, index: r.index, blockSize: Number(r.blockSize), fileSize: Number(r.fileSize) };
}

test('READ with verify: END carries the CRC32C of the bytes sent, read through or cached; without it END is bare', async () => {
  for (const pass of ['read through', 'cached']) {
    const r = await rawRead(refs[2]!, 10, 100_000, true);
    assert.ok(r.bytes.equals(data.subarray(2 * BS + 10, 2 * BS + 100_010)), pass);
    assert.equal(r.crc, crc32c(r.bytes), pass);
  }
  assert.equal((await rawRead(refs[2]!, 0, 10, false)).crc, undefined);
});

test('typed errors cross the channel and the connection stays usable', async () => {
  const client = new DataChannelClient(address, { token: TOKEN, maxConnections: 1 });
  try {
    const missing = refsFor('/missing.bin', '1-1', 10, BS)[0]!;
    await assert.rejects(client.readBlock(missing, 0, 10), NotFoundError);
    await assert.rejects(client.readBlock({ ...refs[0]!, key: refs[1]!.key }, 0, 10), { code: 'INVALID_ARGUMENT' });
    const ok = await client.readBlock(refs[1]!, 0, 10);
    assert.ok(ok.equals(data.subarray(BS, BS + 10)));
  } finally { await client.close(); }
});

test('openLocal pins a verified file until release or disconnect', async () => {
  const client = new DataChannelClient(address, { token: TOKEN });
  try {
    await client.readBlock(refs[2]!, 0, BS);
    await waitFor(() => node.store.has(refs[2]!.key), { what: 'block stored' });
    const local = await client.openLocal(refs[2]!);
    assert.ok(local);
    assert.ok((await readFile(local.path)).equals(data.subarray(2 * BS, 3 * BS)));
    // Freed while pinned: gone from the index, file kept until the pin ends.
    assert.equal(await node.store.remove(refs[2]!.key), true);
    await stat(local.path);
    await local.release();
    await local.release();
    await waitFor(() => stat(local.path).then(() => false, () => true), { what: 'file deleted after release' });
    assert.equal(await client.openLocal(refs[2]!), null, 'not held → null');

    // A pin also ends when the connection closes.
    await client.readBlock(refs[2]!, 0, BS);
    await waitFor(() => node.store.has(refs[2]!.key), { what: 'block stored' });
    const again = await client.openLocal(refs[2]!);
    assert.ok(again);
    await node.store.remove(refs[2]!.key);
    await client.close();
    await waitFor(() => stat(again.path).then(() => false, () => true), { what: 'file deleted after disconnect' });
  } finally { await client.close(); }
});

test('fetchBlock caches a whole block once (concurrent asks share one UFS read), then openLocal hands out its file', async () => {
  const client = new DataChannelClient(address, { token: TOKEN, maxConnections: 3 });
  try {
    await node.store.remove(refs[1]!.key);
    const ufs = node.ufs as CountingUfs;
    const readsBefore = ufs.reads;
    const got = await Promise.all([client.fetchBlock(refs[1]!), client.fetchBlock(refs[1]!), client.fetchBlock(refs[1]!)]);
    assert.deepEqual(got, [BS, BS, BS], 'each ask joined the fetch that read the block');
    assert.equal(ufs.reads - readsBefore, 1, 'one UFS read for three asks');
    assert.equal(node.store.has(refs[1]!.key), true, 'stored when FETCH_OK arrives');
    assert.equal(await client.fetchBlock(refs[1]!), 0, 'cached: nothing read');
    const local = await client.openLocal(refs[1]!);
    assert.ok(local);
    assert.ok((await readFile(local.path)).equals(data.subarray(BS, 2 * BS)));
    await local.release();
    const missing = refsFor('/missing.bin', '1-1', 10, BS)[0]!;
    await assert.rejects(client.fetchBlock(missing), NotFoundError);
    await assert.rejects(client.fetchBlock({ ...refs[0]!, key: refs[1]!.key }), { code: 'INVALID_ARGUMENT' });
  } finally { await client.close(); }
});

/** Sends raw bytes, collects what the server answers until it closes the connection. */
function rawExchange(bytes: Buffer[], timeoutMs = 3000): Promise<{ frames: Array<{ type: number; payload: Buffer }>; closed: boolean }> {
  return new Promise((resolve) => {
    const sock: Socket = connect(server.port, '127.0.0.1');
    const decoder = new FrameDecoder({ accept: SERVER_FRAME_TYPES });
    const frames: Array<{ type: number; payload: Buffer }> = [];
    sock.on('data', (c: Buffer) => { try { frames.push(...decoder.push(c)); } catch { /* ignore */ } });
    sock.on('error', () => undefined);
    const timer = setTimeout(() => { sock.destroy(); resolve({ frames, closed: false }); }, timeoutMs);
    sock.on('close', () => { clearTimeout(timer); resolve({ frames, closed: true }); });
    sock.on('connect', () => { for (const b of bytes) sock.write(b); });
  });
}

const hello = (token?: string): Buffer => encodeMessage(FrameType.HELLO, { version: 1, ...(token !== undefined ? { token } : {}) });

test('bad frames and bad tokens are rejected; the worker keeps serving', async () => {
  const good = new DataChannelClient(address, { token: TOKEN, maxConnections: 1 });
  try {
    const hugeHeader = Buffer.alloc(5);
    hugeHeader.writeUInt32BE(0xfffffff0, 0);
    hugeHeader.writeUInt8(FrameType.READ, 4);
    const cases: Array<{ name: string; bytes: Buffer[]; expectCode?: string }> = [
      { name: 'random bytes', bytes: [randomBytes(4096)] },
      { name: 'huge length before HELLO', bytes: [hugeHeader] },
      { name: 'huge length after HELLO', bytes: [hello(TOKEN), hugeHeader] },
      { name: 'wrong token', bytes: [hello('wrong')], expectCode: 'UNAUTHENTICATED' },
      { name: 'missing token', bytes: [hello()], expectCode: 'UNAUTHENTICATED' },
      { name: 'READ before HELLO', bytes: [encodeMessage(FrameType.READ, { ref: { ...refs[0]! }, offset: 0, length: 1 })], expectCode: 'PROTOCOL' },
      { name: 'unknown frame type', bytes: [hello(TOKEN), encodeFrame(77 as FrameType, Buffer.from('x'))] },
      { name: 'DATA from a client', bytes: [hello(TOKEN), encodeFrame(FrameType.DATA, Buffer.alloc(10))] },
      { name: 'HELLO that is not JSON', bytes: [encodeFrame(FrameType.HELLO, Buffer.from('{{{'))], expectCode: 'PROTOCOL' },
      { name: 'READ with a malformed body', bytes: [hello(TOKEN), encodeFrame(FrameType.READ, Buffer.from('{"ref":1}'))], expectCode: 'PROTOCOL' },
      { name: 'silence (no HELLO)', bytes: [] },
    ];
    for (const c of cases) {
      const r = await rawExchange(c.bytes);
      assert.ok(r.closed, `${c.name}: connection closed by the worker`);
      if (c.expectCode) {
        const err = r.frames.find((f) => f.type === FrameType.ERROR);
        assert.ok(err, `${c.name}: error frame sent`);
        assert.equal(parseMessage(FrameType.ERROR, err.payload).code, c.expectCode, c.name);
      }
      assert.ok(!r.frames.some((f) => f.type === FrameType.DATA), `${c.name}: no block bytes leaked`);
      const b = await good.readBlock(refs[1]!, 0, 100);
      assert.ok(b.equals(data.subarray(BS, BS + 100)), `${c.name}: worker still serves`);
    }
    const wrong = new DataChannelClient(address, { token: 'nope' });
    await assert.rejects(wrong.readBlock(refs[1]!, 0, 100), UnauthenticatedError);
    await assert.rejects(wrong.openLocal(refs[1]!), UnauthenticatedError);
    await wrong.close();
  } finally { await good.close(); }
});

test('aborts and timeouts are typed and do not poison the pool', async () => {
  const client = new DataChannelClient(address, { token: TOKEN, maxConnections: 1 });
  try {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(client.readBlock(refs[0]!, 0, BS, { signal: ac.signal }), { code: 'ABORTED' });
    const b = await client.readBlock(refs[0]!, 0, 10);
    assert.equal(b.length, 10);
  } finally { await client.close(); }
  await assert.rejects(client.readBlock(refs[0]!, 0, 10), { code: 'UNAVAILABLE' });
});

test('TLS: the data channel works with the cluster CA; plaintext and wrong tokens fail typed', async () => {
  const tls = createTlsFixture();
  const tlsServer = await DataServer.start({ listen: '127.0.0.1:0', security: { token: TOKEN, tls: { cert: tls.cert, key: tls.key, ca: tls.ca } }, blocks: node.service });
  const good = new DataChannelClient(`localhost:${tlsServer.port}`, { token: TOKEN, tls: { ca: tls.ca } });
  const wrong = new DataChannelClient(`localhost:${tlsServer.port}`, { token: 'nope', tls: { ca: tls.ca } });
  const plain = new DataChannelClient(`localhost:${tlsServer.port}`, { token: TOKEN, connectTimeoutMs: 2000 });
  try {
    const b = await good.readBlock(refs[1]!, 0, BS);
    assert.ok(b.equals(data.subarray(BS, 2 * BS)));
    await assert.rejects(wrong.readBlock(refs[1]!, 0, 10), UnauthenticatedError);
    await assert.rejects(plain.readBlock(refs[1]!, 0, 10, { timeoutMs: 3000 }), (e: { code?: string }) => ['UNAVAILABLE', 'UNREACHABLE', 'TIMEOUT', 'PROTOCOL'].includes(e.code ?? ''));
  } finally {
    await good.close(); await wrong.close(); await plain.close();
    await tlsServer.close(100);
    tls.cleanup();
  }
});

test('close() lets a read in progress finish, then refuses new connections', async () => {
  const ufsDir = await tempDir('eddy-ufs-');
  const tier = await tempDir();
  const slow = await makeNode({
    tiers: [{ medium: 'MEM', path: tier.path, quotaBytes: 8 * BS, high: 0.95, low: 0.8 }],
    mount: { url: `file://${ufsDir.path}` },
    wrap: (u) => new CountingUfs(u, { delayMs: 400 }),
  });
  const bytes = bytesFor('slow', BS);
  await writeFile(join(ufsDir.path, 's.bin'), bytes);
  const ref = refsFor('/s.bin', fileVersion(await stat(join(ufsDir.path, 's.bin'), { bigint: true })), BS, BS)[0]!;
  const srv = await DataServer.start({ listen: '127.0.0.1:0', security: { token: TOKEN }, blocks: slow.service });
  const port = srv.port;
  const client = new DataChannelClient(`127.0.0.1:${port}`, { token: TOKEN });
  try {
    const reading = client.readBlock(ref, 0, BS);
    await waitFor(() => slow.ufs !== undefined && slow.ufs.reads === 1, { what: 'fetch started' });
    const closing = srv.close(10_000);
    const got = await reading;
    assert.ok(got.equals(bytes), 'in-flight read completed during close');
    await closing;
    const late = new DataChannelClient(`127.0.0.1:${port}`, { token: TOKEN, connectTimeoutMs: 2000 });
    await assert.rejects(late.readBlock(ref, 0, 10, { timeoutMs: 3000 }), (e: { code?: string }) => ['UNREACHABLE', 'UNAVAILABLE', 'TIMEOUT'].includes(e.code ?? ''));
    await late.close();
  } finally {
    await client.close();
    await srv.close();
    await slow.close();
    await ufsDir.cleanup();
    await tier.cleanup();
  }
});

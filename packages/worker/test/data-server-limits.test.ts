// Issue 15, bounded resources: what one peer can make a worker hold. Frames before HELLO are
// small, a HELLO must come before the deadline, unauthenticated and total connections and pins per
// connection are capped (typed UNAVAILABLE), a ref must carry its dataset's block size, fetches
// from the UFS are capped, and a fetch holds a bounded window of bytes however slow its readers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { blockKey } from '@eddy/core';
import {
  DataChannelClient, FrameDecoder, FrameType, MAX_HELLO_PAYLOAD, SERVER_FRAME_TYPES, encodeFrame, encodeMessage, parseMessage, type proto,
} from '@eddy/protocol';
import { fileVersion } from '@eddy/ufs';
import { waitFor } from '@eddy/testkit';
import { DataServer, validateBlockRef } from '../src/index.js';
import { CountingUfs, bytesFor, makeNode, refsFor, tempDir, type TestNode } from './helpers.js';

const BS = 1024 * 1024;
const TOKEN = 'limits-token';
let node: TestNode;
let data: Buffer;
let refs: proto.BlockRef__Output[];
let version: string;
let ufsPath: string;
const dirs: Array<{ cleanup(): Promise<void> }> = [];

before(async () => {
  const ufsDir = await tempDir('eddy-ufs-');
  const tier = await tempDir();
  dirs.push(ufsDir, tier);
  ufsPath = ufsDir.path;
  data = bytesFor('limits', 4 * BS + 99);
  await writeFile(join(ufsDir.path, 'f.bin'), data);
  version = fileVersion(await stat(join(ufsDir.path, 'f.bin'), { bigint: true }));
  refs = refsFor('/f.bin', version, data.length, BS);
  node = await makeNode({
    tiers: [{ medium: 'MEM', path: tier.path, quotaBytes: 32 * BS, high: 0.95, low: 0.8 }],
    mount: { url: `file://${ufsDir.path}` },
    wrap: (u) => new CountingUfs(u),
    blockSize: BS,
  });
});

after(async () => {
  await node.close();
  for (const d of dirs) await d.cleanup();
});

interface Raw { socket: Socket; frames: Array<{ type: number; payload: Buffer }>; closed: Promise<void> }

function rawConnect(port: number): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const decoder = new FrameDecoder({ accept: SERVER_FRAME_TYPES });
    const frames: Array<{ type: number; payload: Buffer }> = [];
    socket.on('data', (c: Buffer) => { try { frames.push(...decoder.push(c)); } catch { /* not our point */ } });
    socket.on('error', () => undefined);
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('connect', () => resolve({ socket, frames, closed }));
    socket.once('error', reject);
  });
}

function errorCode(raw: Raw): string | undefined {
  const f = raw.frames.find((x) => x.type === FrameType.ERROR);
  return f ? parseMessage(FrameType.ERROR, f.payload).code : undefined;
}

const hello = (): Buffer => encodeMessage(FrameType.HELLO, { version: 1, token: TOKEN });

async function withServer<T>(options: Partial<Parameters<typeof DataServer.start>[0]>, fn: (server: DataServer, address: string) => Promise<T>): Promise<T> {
  const server = await DataServer.start({ listen: '127.0.0.1:0', security: { token: TOKEN }, blocks: node.service, hostId: 'h', ...options });
  try {
    return await fn(server, `127.0.0.1:${server.port}`);
  } finally {
    await server.close(100);
  }
}

test('before HELLO a frame may hold only MAX_HELLO_PAYLOAD bytes; after it, the usual limit', async () => {
  await withServer({}, async (server, address) => {
    const raw = await rawConnect(server.port);
    raw.socket.write(encodeFrame(FrameType.HELLO, Buffer.alloc(MAX_HELLO_PAYLOAD + 1, 0x20)));
    await raw.closed;
    assert.equal(errorCode(raw), 'PROTOCOL');
    // Authenticated (HELLO_OK received: anything sent before it counts as unauthenticated), a READ
    // far larger than a HELLO may be (unknown fields are dropped) is served.
    const ok = await rawConnect(server.port);
    ok.socket.write(hello());
    await waitFor(() => ok.frames.some((f) => f.type === FrameType.HELLO_OK), { what: 'HELLO_OK' });
    ok.socket.write(encodeMessage(FrameType.READ, { ref: refs[0]!, offset: 0, length: 10, pad: 'x'.repeat(4 * MAX_HELLO_PAYLOAD) } as never));
    await waitFor(() => ok.frames.some((f) => f.type === FrameType.END), { what: 'READ answered' });
    assert.ok(ok.frames.some((f) => f.type === FrameType.DATA));
    ok.socket.destroy();
    const client = new DataChannelClient(address, { token: TOKEN });
    try { assert.ok((await client.readBlock(refs[0]!, 0, 10)).equals(data.subarray(0, 10))); } finally { await client.close(); }
  });
});

test('a HELLO sent a byte at a time is cut off at the HELLO deadline', async () => {
  await withServer({ helloTimeoutMs: 300 }, async (server) => {
    const raw = await rawConnect(server.port);
    const bytes = encodeMessage(FrameType.HELLO, { version: 1, token: TOKEN.repeat(20) });
    let sent = 0;
    const timer = setInterval(() => { if (!raw.socket.destroyed && sent < bytes.length) raw.socket.write(bytes.subarray(sent, ++sent)); }, 10);
    await raw.closed;
    clearInterval(timer);
    assert.ok(sent < bytes.length, `closed before the HELLO was complete (${sent} of ${bytes.length} bytes)`);
    assert.ok(!raw.frames.some((f) => f.type === FrameType.HELLO_OK));
  });
});

test('connections that have not authenticated are capped; authenticating frees a place', async () => {
  await withServer({ maxUnauthenticated: 2 }, async (server, address) => {
    const a = await rawConnect(server.port);
    const b = await rawConnect(server.port);
    await waitFor(() => server.unauthenticatedCount === 2, { what: 'two pending' });
    const c = await rawConnect(server.port);
    await c.closed;
    assert.equal(errorCode(c), 'UNAVAILABLE');
    assert.equal(server.refused.unauthenticated, 1);
    a.socket.write(hello());
    await waitFor(() => a.frames.some((f) => f.type === FrameType.HELLO_OK), { what: 'a authenticated' });
    const client = new DataChannelClient(address, { token: TOKEN });
    try { assert.ok((await client.readBlock(refs[1]!, 0, 10)).equals(data.subarray(BS, BS + 10))); } finally { await client.close(); }
    a.socket.destroy();
    b.socket.destroy();
  });
});

test('total connections are capped', async () => {
  await withServer({ maxConnections: 2 }, async (server, address) => {
    const client = new DataChannelClient(address, { token: TOKEN, maxConnections: 1 });
    try {
      await client.readBlock(refs[0]!, 0, 10);
      const a = await rawConnect(server.port);
      await waitFor(() => server.connectionCount === 2, { what: 'two connections' });
      const b = await rawConnect(server.port);
      await b.closed;
      assert.equal(errorCode(b), 'UNAVAILABLE');
      assert.equal(server.refused.connections, 1);
      assert.ok((await client.readBlock(refs[0]!, 5, 5)).equals(data.subarray(5, 10)), 'the connection it has keeps serving');
      a.socket.destroy();
    } finally { await client.close(); }
  });
});

test('pins per connection are capped (typed UNAVAILABLE); a RELEASE frees a place', async () => {
  await withServer({ maxPinsPerConnection: 2 }, async (_server, address) => {
    const client = new DataChannelClient(address, { token: TOKEN, maxConnections: 1 });
    try {
      for (const r of refs.slice(0, 3)) await client.fetchBlock(r);
      const p0 = await client.openLocal(refs[0]!);
      const p1 = await client.openLocal(refs[1]!);
      assert.ok(p0 && p1);
      await assert.rejects(client.openLocal(refs[2]!), (e: { code?: string; message?: string }) => e.code === 'UNAVAILABLE' && /maxPinsPerConnection/.test(e.message ?? ''));
      await p0.release();
      const p2 = await client.openLocal(refs[2]!);
      assert.ok(p2);
      await p1.release();
      await p2.release();
      assert.ok((await client.readBlock(refs[3]!, 0, 10)).equals(data.subarray(3 * BS, 3 * BS + 10)));
    } finally { await client.close(); }
  });
});

test('a ref whose block size is not the dataset\'s is refused (INVALID_ARGUMENT) before the UFS is read', async () => {
  await withServer({}, async (_server, address) => {
    const client = new DataChannelClient(address, { token: TOKEN });
    try {
      const big = 1024 * BS;
      const fileSize = 2 * big;
      const ref = { key: blockKey('ds', '/f.bin', version, 0, big), dataset: 'ds', path: '/f.bin', version, index: 0, blockSize: big, fileSize };
      const before = node.ufs!.reads;
      await assert.rejects(client.readBlock(ref, 0, BS), (e: { code?: string; message?: string }) => e.code === 'INVALID_ARGUMENT' && /block size/.test(e.message ?? ''));
      await assert.rejects(client.fetchBlock(ref), { code: 'INVALID_ARGUMENT' });
      assert.equal(node.ufs!.reads, before, 'nothing fetched');
      assert.ok((await client.readBlock(refs[2]!, 0, 10)).equals(data.subarray(2 * BS, 2 * BS + 10)));
    } finally { await client.close(); }
  });
});

test('fetches past maxConcurrentFetches wait for a slot, then complete', async () => {
  const tier = await tempDir();
  const slow = await makeNode({
    tiers: [{ medium: 'MEM', path: tier.path, quotaBytes: 32 * BS, high: 0.95, low: 0.8 }],
    mount: { url: `file://${ufsPath}` }, wrap: (u) => new CountingUfs(u, { delayMs: 200 }), blockSize: BS,
    readThrough: { maxConcurrentFetches: 1 },
  });
  try {
    const reads = refs.slice(0, 3).map((r) => slow.service.read(r, 0, BS));
    await waitFor(() => slow.readThrough.slots.running === 1 && slow.readThrough.slots.waiting === 2, { what: 'one running, two waiting' });
    const bodies = await Promise.all(reads.map(async (p) => {
      const r = await p;
      const parts: Buffer[] = [];
      if (r.kind === 'stream') for await (const c of r.chunks) parts.push(c);
      return Buffer.concat(parts);
    }));
    bodies.forEach((b, i) => assert.ok(b.equals(data.subarray(i * BS, (i + 1) * BS)), `block ${i}`));
    assert.equal(slow.ufs!.reads, 3);
  } finally { await slow.close(); await tier.cleanup(); }
});

for (const withFile of [true, false]) {
  test(`a fetch holds a bounded window however slow a reader is (${withFile ? 'block file written' : 'no room to cache'})`, async () => {
    const tier = await tempDir();
    const window = 64 * 1024;
    const n = await makeNode({
      // No room: the quota is smaller than a block, so nothing is cached and readers hold the window.
      tiers: [{ medium: 'MEM', path: tier.path, quotaBytes: withFile ? 32 * BS : BS / 2, high: 0.95, low: 0.8 }],
      mount: { url: `file://${ufsPath}` }, wrap: (u) => new CountingUfs(u), blockSize: BS,
      readThrough: { fetchWindowBytes: window },
    });
    try {
      const ref = validateBlockRef(refs[1]!);
      const fetch = n.readThrough.fetch(ref);
      const stalled = fetch.range(0, BS);
      let peak = 0;
      const sampler = setInterval(() => { peak = Math.max(peak, fetch.heldBytes); }, 1);
      if (withFile) {
        await fetch.done;
      } else {
        // The UFS stream pauses at the window; the stalled reader holds it.
        await new Promise((r) => setTimeout(r, 300));
        assert.ok(fetch.heldBytes <= window + 256 * 1024, `held ${fetch.heldBytes}`);
      }
      const parts: Buffer[] = [];
      for await (const c of stalled) parts.push(c);
      clearInterval(sampler);
      assert.ok(Buffer.concat(parts).equals(data.subarray(BS, 2 * BS)), 'the slow reader gets every byte');
      // One UFS chunk may come on top of the window (file:// reads 64 KiB at a time).
      assert.ok(peak <= window + 64 * 1024, `peak held ${peak} bytes`);
      assert.equal((await fetch.done).stored, withFile);
    } finally { await n.close(); await tier.cleanup(); }
  });
}

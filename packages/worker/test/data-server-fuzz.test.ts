// Issue 8, the worker's data server under hostile input (property tests over real sockets): random
// byte streams cut at random points, before and after a valid HELLO, and READ/LOCAL requests with
// random refs. The server answers with ERROR frames or closes the connection, never serves bytes
// for a ref that does not check out, never leaves a file outside its tier layout, and keeps serving.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { DataChannelClient, FrameDecoder, FrameType, SERVER_FRAME_TYPES, encodeFrameHeader, encodeMessage, parseMessage, type proto } from '@eddy/protocol';
import { blockKey } from '@eddy/core';
import { fileVersion } from '@eddy/ufs';
import { waitFor } from '@eddy/testkit';
import { DataServer } from '../src/index.js';
import { CountingUfs, bytesFor, makeNode, refsFor, tempDir, walk, type TestNode } from './helpers.js';

const BS = 64 * 1024;
const TOKEN = 'fuzz-token';
let node: TestNode;
let server: DataServer;
let address: string;
let data: Buffer;
let refs: proto.BlockRef__Output[];
let tierPath: string;
const dirs: Array<{ cleanup(): Promise<void> }> = [];

before(async () => {
  const ufsDir = await tempDir('eddy-ufs-');
  const tier = await tempDir();
  tierPath = tier.path;
  dirs.push(ufsDir, tier);
  data = bytesFor('fuzz', 3 * BS + 11);
  await writeFile(join(ufsDir.path, 'f.bin'), data);
  refs = refsFor('/f.bin', fileVersion(await stat(join(ufsDir.path, 'f.bin'), { bigint: true })), data.length, BS);
  node = await makeNode({ tiers: [{ medium: 'MEM', path: tier.path, quotaBytes: 64 * BS, high: 0.95, low: 0.8 }], mount: { url: `file://${ufsDir.path}` } });
  server = await DataServer.start({ listen: '127.0.0.1:0', security: { token: TOKEN }, blocks: node.service, helloTimeoutMs: 300 });
  address = `127.0.0.1:${server.port}`;
});

after(async () => {
  await server.close(100);
  await node.close();
  for (const d of dirs) await d.cleanup();
});

interface Exchange { frames: Array<{ type: number; payload: Buffer }>; closed: boolean }

/** Writes `chunks` (with a tick between them) and collects replies until close or `idleMs` of silence. */
async function exchange(chunks: Buffer[], idleMs = 200, replies = Infinity): Promise<Exchange> {
  const TERMINAL: number[] = [FrameType.END, FrameType.ERROR, FrameType.LOCAL_OK, FrameType.LOCAL_MISS];
  const socket = connect({ host: '127.0.0.1', port: server.port });
  const decoder = new FrameDecoder({ accept: SERVER_FRAME_TYPES });
  const frames: Exchange['frames'] = [];
  let decodeFailed = false;
  return await new Promise((resolve) => {
    let timer = setTimeout(() => done(false), idleMs + 2_000);
    const done = (closed: boolean): void => { clearTimeout(timer); socket.destroy(); resolve({ frames, closed }); };
    socket.on('data', (d: Buffer) => {
      try { for (const f of decoder.push(d)) frames.push({ type: f.type, payload: Buffer.from(f.payload) }); } catch { decodeFailed = true; }
      assert.equal(decodeFailed, false, 'the worker only sends well-formed frames');
      if (frames.filter((f) => TERMINAL.includes(f.type)).length >= replies) { done(false); return; }
      clearTimeout(timer);
      timer = setTimeout(() => done(false), idleMs);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => done(true));
    socket.on('connect', () => {
      void (async () => {
        for (const c of chunks) {
          if (socket.destroyed) return;
          socket.write(c);
          await new Promise((r) => setImmediate(r));
        }
      })();
    });
  });
}

function cut(bytes: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let pos = 0, i = 0; pos < bytes.length; i++) {
    const n = sizes.length ? Math.max(1, sizes[i % sizes.length]!) : bytes.length;
    out.push(bytes.subarray(pos, pos + n));
    pos += n;
  }
  return out;
}

const hello = encodeMessage(FrameType.HELLO, { version: 1, token: TOKEN });

const garbage = fc.array(fc.oneof(
  fc.uint8Array({ maxLength: 48 }).map((b) => Buffer.from(b)),
  fc.record({ type: fc.integer({ min: 0, max: 15 }), len: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.constantFrom(65_537, 0x7fffffff, 0xffffffff)),
    body: fc.uint8Array({ maxLength: 64 }) })
    .map(({ type, len, body }) => Buffer.concat([encodeFrameHeader(type as FrameType, len), body])),
  fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.concat([encodeFrameHeader(FrameType.READ, Buffer.byteLength(JSON.stringify(v) ?? 'null')), Buffer.from(JSON.stringify(v) ?? 'null')])),
), { maxLength: 8 }).map((parts) => Buffer.concat(parts));

async function assertServing(): Promise<void> {
  const client = new DataChannelClient(address, { token: TOKEN });
  try {
    const all = await Promise.all(refs.map((r) => client.readBlock(r, 0, BS)));
    assert.ok(Buffer.concat(all).equals(data));
  } finally {
    await client.close();
  }
}

test('random byte streams, before or after HELLO, cut anywhere: only ERROR frames or a close, never DATA (property)', { timeout: 120_000 }, async () => {
  await fc.assert(fc.asyncProperty(garbage, fc.boolean(), fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 6 }), async (bytes, afterHello, sizes) => {
    const r = await exchange(cut(Buffer.concat([afterHello ? hello : Buffer.alloc(0), bytes]), sizes));
    const types = r.frames.map((f) => f.type);
    // HELLO_OK, if sent, comes first (a HELLO arriving in one chunk with a bad frame may go unanswered).
    assert.ok(!types.slice(1).includes(FrameType.HELLO_OK));
    for (const f of r.frames) {
      assert.notEqual(f.type, FrameType.DATA, 'no block bytes for garbage');
      assert.notEqual(f.type, FrameType.LOCAL_OK);
      if (f.type === FrameType.ERROR) parseMessage(FrameType.ERROR, f.payload);
    }
    if (!afterHello) assert.ok(!types.includes(FrameType.HELLO_OK) || bytes.subarray(0, hello.length).equals(hello));
  }), { numRuns: 150 });
  await waitFor(() => server.connectionCount === 0, { timeoutMs: 5_000, what: 'every fuzz connection closed' });
  await assertServing();
});

test('READ and LOCAL with random refs: a typed ERROR or LOCAL_MISS unless the ref names a real block (property)', { timeout: 120_000 }, async () => {
  const good = refs[0]!;
  const str = fc.oneof(fc.constantFrom('', '..', '../../etc/passwd', '/f.bin', '/../f.bin', 'f.bin', '/f.bin\0', good.version), fc.string({ maxLength: 12 }));
  const num = fc.oneof(fc.constantFrom(0, 1, BS, 2 ** 31, Number.MAX_SAFE_INTEGER), fc.nat());
  const refArb = fc.record({
    key: fc.oneof(fc.constantFrom(good.key, '../../etc/passwd', 'a'.repeat(64), `${good.key.slice(0, 2)}/../../x`), fc.string({ minLength: 1, maxLength: 70 })),
    dataset: fc.oneof(fc.constant(good.dataset), str), path: str, version: str,
    index: num, blockSize: num, fileSize: num,
  });
  await fc.assert(fc.asyncProperty(refArb, fc.boolean(), fc.boolean(), async (ref, honestKey, local) => {
    const r0 = honestKey && Number.isSafeInteger(ref.index) ? { ...ref, key: blockKey(ref.dataset, ref.path, ref.version, ref.index, ref.blockSize) } : ref;
    const req = local ? encodeMessage(FrameType.LOCAL, { ref: r0 }) : encodeMessage(FrameType.READ, { ref: r0, offset: 0, length: BS });
    const r = await exchange([hello, req], 2_000, 1);
    const types = r.frames.slice(1).map((f) => f.type);
    const served = Buffer.concat(r.frames.filter((f) => f.type === FrameType.DATA).map((f) => f.payload));
    if (types.includes(FrameType.DATA) || types.includes(FrameType.LOCAL_OK)) {
      // Only bytes of the real file, at the block's own offset, under its real version.
      assert.equal(r0.dataset, good.dataset);
      assert.equal(`/${r0.path.replace(/^\/+/, '')}`, good.path, `served ${JSON.stringify(r0)}`);
      assert.equal(r0.version, good.version);
      const at = r0.index * r0.blockSize;
      assert.ok(served.equals(data.subarray(at, at + served.length)), `wrong bytes for ${JSON.stringify(r0)}`);
      return;
    }
    assert.ok(types.includes(FrameType.ERROR) || types.includes(FrameType.LOCAL_MISS) || types.includes(FrameType.END) || r.closed, `no answer to ${JSON.stringify(r0)}`);
  }), { numRuns: 200 });
  // Only block files in the tier layout, nothing elsewhere.
  for (const f of await walk(tierPath)) assert.match(f.path.slice(tierPath.length), /^\/eddy\/[^/]+\/[0-9a-f]{2}\/[0-9a-f]{64}\.[0-9a-f]{8}$/, f.path);
  await waitFor(() => server.connectionCount === 0, { timeoutMs: 5_000, what: 'every fuzz connection closed' });
  await assertServing();
});

test('a ref that lies about the file size cannot cut short an honest read of the same block', { timeout: 30_000 }, async () => {
  // A node whose UFS answers slowly, so the liar's fetch is still in flight when the honest reader arrives.
  const ufsDir = await tempDir('eddy-ufs-');
  const tier = await tempDir();
  dirs.push(ufsDir, tier);
  await writeFile(join(ufsDir.path, 'f.bin'), data);
  const slow = await makeNode({
    tiers: [{ medium: 'MEM', path: tier.path, quotaBytes: 64 * BS, high: 0.95, low: 0.8 }], mount: { url: `file://${ufsDir.path}` },
    wrap: (u) => new CountingUfs(u, { delayMs: 300 }),
  });
  const srv = await DataServer.start({ listen: '127.0.0.1:0', security: { token: TOKEN }, blocks: slow.service });
  const real = refsFor('/f.bin', fileVersion(await stat(join(ufsDir.path, 'f.bin'), { bigint: true })), data.length, BS)[1]!;
  // The key does not cover fileSize: a smaller one makes block 1 look like a 10-byte last block.
  const liar = { ...real, fileSize: BS + 10 };
  const client = new DataChannelClient(`127.0.0.1:${srv.port}`, { token: TOKEN, maxConnections: 2 });
  try {
    const liarRead = client.readBlock(liar, 0, BS).then((b) => b, (e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const honest = await client.readBlock(real, 0, BS);
    assert.equal(honest.length, BS);
    assert.ok(honest.equals(data.subarray(BS, 2 * BS)));
    const lied = await liarRead;
    // Whatever the liar got is real bytes of the block.
    if (Buffer.isBuffer(lied)) assert.ok(lied.equals(data.subarray(BS, BS + lied.length)));
    // And later honest reads still get the whole block, whichever copy the cache kept.
    await waitFor(() => slow.readThrough.inflightCount === 0, { what: 'fetches settled' });
    const again = await client.readBlock(real, 0, BS);
    assert.ok(again.equals(data.subarray(BS, 2 * BS)));
  } finally {
    await client.close();
    await srv.close(100);
    await slow.close();
  }
});

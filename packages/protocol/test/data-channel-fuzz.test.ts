// Issue 8, bad input on the data channel: the frame decoder and the client against hostile bytes.
// Whatever arrives (random streams cut anywhere, huge announced lengths, truncated frames), the
// decoder either yields frames or throws ProtocolError, never holds more than one control frame,
// and the client rejects with a typed EddyError within its deadline instead of hanging.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import fc from 'fast-check';
import { CLIENT_FRAME_TYPES, FRAME_HEADER_BYTES, FrameDecoder, FrameType, MAX_CONTROL_PAYLOAD, MAX_DATA_PAYLOAD, SERVER_FRAME_TYPES, encodeFrame, encodeFrameHeader, type DecodedFrame } from '../src/data-channel/frame-codec.js';
import { DataChannelClient } from '../src/data-channel/data-channel-client.js';
import { EddyError, ProtocolError } from '@eddy/core';
import { encodeMessage, parseMessage } from '../src/data-channel/messages.js';

type Outcome = { frames: string[]; error: string | undefined };

/** Decodes `chunks`, joining consecutive DATA pieces, so outputs of different splits compare equal. */
function decode(accept: ReadonlySet<FrameType>, chunks: Uint8Array[]): Outcome {
  const decoder = new FrameDecoder({ accept });
  const frames: string[] = [];
  const add = (f: DecodedFrame): void => {
    if (f.type === FrameType.DATA && frames.at(-1)?.startsWith('D:')) frames[frames.length - 1] += Buffer.from(f.payload).toString('hex');
    else frames.push(`${f.type === FrameType.DATA ? 'D' : f.type}:${Buffer.from(f.payload).toString('hex')}`);
    // Bounded memory: never more than one control frame plus a header held back.
    assert.ok(decoder.bufferedBytes <= FRAME_HEADER_BYTES + MAX_CONTROL_PAYLOAD);
  };
  try {
    for (const c of chunks) for (const f of decoder.push(c)) add(f);
    return { frames, error: undefined };
  } catch (err) {
    assert.ok(err instanceof ProtocolError, `not a ProtocolError: ${String(err)}`);
    return { frames, error: err.message };
  }
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pos = 0;
  for (let i = 0; pos < bytes.length; i++) {
    const n = cuts.length ? Math.max(1, cuts[i % cuts.length]!) : bytes.length;
    out.push(bytes.subarray(pos, pos + n));
    pos += n;
  }
  return out;
}

/** Random streams biased towards plausible headers: valid types, small lengths, now and then huge ones. */
const hostileStream = fc.array(fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.record({
    type: fc.integer({ min: 0, max: 255 }),
    len: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(MAX_CONTROL_PAYLOAD, MAX_CONTROL_PAYLOAD + 1, MAX_DATA_PAYLOAD + 1, 0x7fffffff, 0xffffffff)),
    body: fc.uint8Array({ maxLength: 40 }),
  }).map(({ type, len, body }) => Buffer.concat([encodeFrameHeader(type as FrameType, len), body])),
), { maxLength: 20 }).map((parts) => Buffer.concat(parts));

test('decoding does not depend on how the stream is chunked, and only ever throws ProtocolError (property)', () => {
  fc.assert(fc.property(hostileStream, fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 12 }), fc.boolean(), (bytes, cuts, serverSide) => {
    const accept = serverSide ? SERVER_FRAME_TYPES : CLIENT_FRAME_TYPES;
    const whole = decode(accept, [bytes]);
    const chunked = decode(accept, split(bytes, cuts));
    const byteWise = decode(accept, split(bytes, [1]));
    // The same verdict whatever the split. Frames completed before an error may be dropped with
    // the push that threw, so on error the coarser splits see a prefix of the byte-wise frames.
    assert.equal(chunked.error, whole.error);
    assert.equal(byteWise.error, whole.error);
    if (whole.error === undefined) {
      assert.deepEqual(chunked.frames, whole.frames);
      assert.deepEqual(byteWise.frames, whole.frames);
    } else {
      const all = byteWise.frames.join('|');
      assert.ok(all.startsWith(whole.frames.join('|')));
      assert.ok(all.startsWith(chunked.frames.join('|')));
    }
  }), { numRuns: 400 });
});

test('every announced length above the limit fails on the header alone, for every frame type (no waiting for a payload)', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: MAX_CONTROL_PAYLOAD + 1, max: 0xffffffff }), fc.boolean(), (type, len,
    serverSide) => {
    const accept = serverSide ? SERVER_FRAME_TYPES : CLIENT_FRAME_TYPES;
    const decoder = new FrameDecoder({ accept });
    const isData = type === FrameType.DATA && accept.has(FrameType.DATA);
    if (isData && len <= MAX_DATA_PAYLOAD) {
      // A DATA frame within its limit streams: the header alone yields nothing and holds nothing.
      assert.deepEqual(decoder.push(encodeFrameHeader(type as FrameType, len)), []);
      assert.equal(decoder.bufferedBytes, 0);
      return;
    }
    assert.throws(() => decoder.push(encodeFrameHeader(type as FrameType, len)), ProtocolError);
    assert.equal(decoder.bufferedBytes, 0);
    assert.throws(() => decoder.push(Buffer.alloc(1)), ProtocolError);
  }), { numRuns: 1000 });
});

test('a truncated valid stream never throws and is never idle mid-frame (property)', () => {
  const controlTypes = [...CLIENT_FRAME_TYPES];
  fc.assert(fc.property(fc.array(fc.record({ type: fc.constantFrom(...controlTypes), payload: fc.uint8Array({ maxLength: 100 }) }), { minLength: 1,
    maxLength: 6 }), fc.nat(), (frames, cutAt) => {
    const encoded = frames.map((f) => encodeFrame(f.type, f.payload));
    const wire = Buffer.concat(encoded);
    const cut = cutAt % wire.length;
    const boundaries = new Set<number>([0]);
    let acc = 0;
    for (const e of encoded) { acc += e.length; boundaries.add(acc); }
    const decoder = new FrameDecoder({ accept: CLIENT_FRAME_TYPES });
    const got = decoder.push(wire.subarray(0, cut));
    assert.equal(decoder.idle, boundaries.has(cut));
    // The rest completes exactly the original frames.
    const rest = decoder.push(wire.subarray(cut));
    assert.deepEqual([...got, ...rest].map((f) => f.type), frames.map((f) => f.type));
    assert.ok(decoder.idle);
  }), { numRuns: 300 });
});

test('parseMessage on arbitrary JSON only ever throws ProtocolError (property)', () => {
  const types = [FrameType.HELLO, FrameType.READ, FrameType.LOCAL, FrameType.RELEASE, FrameType.HELLO_OK, FrameType.READ_HEADER, FrameType.ERROR,
    FrameType.LOCAL_OK] as const;
  fc.assert(fc.property(fc.constantFrom(...types), fc.oneof(fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'), fc.string({ maxLength: 200 })), (type, text) => {
    try {
      parseMessage(type, Buffer.from(text));
    } catch (err) {
      assert.ok(err instanceof ProtocolError, String(err));
    }
  }), { numRuns: 1000 });
});

// ---- the client against a hostile worker ------------------------------------------------------

const servers: Server[] = [];
after(() => { for (const s of servers) s.close(); });

/** A fake worker: after the client's first bytes, `reply(socket)` decides what it gets back. */
async function hostileWorker(reply: (socket: Socket, received: Buffer) => void): Promise<string> {
  const server = createServer((socket) => {
    let received = Buffer.alloc(0);
    let replied = false;
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      if (!replied) { replied = true; reply(socket, received); }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  assert.ok(addr && typeof addr === 'object');
  return `127.0.0.1:${addr.port}`;
}

const REF = { key: 'ab'.repeat(16), dataset: 'd', path: '/f', version: 'v1', index: 0, blockSize: 1024, fileSize: 100 };
const helloOk = encodeMessage(FrameType.HELLO_OK, { version: 1 });

test('the client turns any hostile reply into a typed error within its deadline (property over real sockets)', { timeout: 90_000 }, async () => {
  await fc.assert(fc.asyncProperty(hostileStream, fc.boolean(), async (garbage, afterHello) => {
    // Either garbage instead of HELLO_OK, or a proper HELLO_OK then garbage as the READ reply.
    const address = await hostileWorker((socket) => {
      if (afterHello) {
        socket.write(helloOk);
        socket.once('data', () => { socket.write(garbage); socket.end(); });
      } else {
        socket.write(garbage);
        socket.end();
      }
    });
    const client = new DataChannelClient(address, { token: 't', connectTimeoutMs: 2_000, maxConnections: 1 });
    const started = Date.now();
    try {
      const buf = await client.readBlock(REF, 0, 100, { timeoutMs: 3_000 });
      // Only a stream that happens to be a well-formed reply may succeed, and then within bounds.
      assert.ok(buf.length <= 100);
    } catch (err) {
      assert.ok(err instanceof EddyError, `not typed: ${String(err)}`);
    } finally {
      await client.close();
      servers.pop()?.close();
    }
    assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
  }), { numRuns: 60 });
});

test('a worker that never answers, or announces a huge frame and stalls, gives a timeout, not a hang', { timeout: 30_000 }, async () => {
  const silent = await hostileWorker(() => undefined);
  const c1 = new DataChannelClient(silent, { token: 't', connectTimeoutMs: 500 });
  const t1 = Date.now();
  await assert.rejects(c1.readBlock(REF, 0, 100, { timeoutMs: 1_000 }), (e: unknown) => e instanceof EddyError);
  assert.ok(Date.now() - t1 < 3_000);
  await c1.close();

  // A READ_HEADER announcing 100 bytes then a DATA frame that never completes.
  const staller = await hostileWorker((socket) => {
    socket.write(helloOk);
    socket.once('data', () => {
      socket.write(encodeMessage(FrameType.READ_HEADER, { length: 100, source: 'cache' }));
      socket.write(encodeFrameHeader(FrameType.DATA, 100));
      socket.write(Buffer.alloc(10));
    });
  });
  const c2 = new DataChannelClient(staller, { token: 't', connectTimeoutMs: 1_000 });
  const t2 = Date.now();
  await assert.rejects(c2.readBlock(REF, 0, 100, { timeoutMs: 1_000 }), (e: unknown) => e instanceof EddyError && e.code === 'TIMEOUT');
  assert.ok(Date.now() - t2 < 3_000);
  await c2.close();

  // A header announcing 4 GiB of DATA: refused on sight, the client does not try to buffer it.
  const huge = await hostileWorker((socket) => {
    socket.write(helloOk);
    socket.once('data', () => {
      socket.write(encodeMessage(FrameType.READ_HEADER, { length: 100, source: 'cache' }));
      socket.write(encodeFrameHeader(FrameType.DATA, 0xffffffff));
    });
  });
  const c3 = new DataChannelClient(huge, { token: 't', connectTimeoutMs: 1_000 });
  await assert.rejects(c3.readBlock(REF, 0, 100, { timeoutMs: 5_000 }), (e: unknown) => e instanceof ProtocolError);
  await c3.close();
});

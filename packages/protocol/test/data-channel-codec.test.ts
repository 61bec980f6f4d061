// The data channel frame decoder: round trips however the bytes are split, and rejects bad
// input with ProtocolError (a property test with fast-check; issue 8 fuzzes it further).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameDecoder, FrameType, CLIENT_FRAME_TYPES, SERVER_FRAME_TYPES, MAX_CONTROL_PAYLOAD, encodeFrame, type DecodedFrame } from '../src/data-channel/frame-codec.js';
import { ProtocolError } from '@eddy/core';
import { encodeMessage, parseMessage } from '../src/data-channel/messages.js';
import { ExactFrameReader } from '../src/data-channel/exact-frame-reader.js';

const controlTypes = [...SERVER_FRAME_TYPES].filter((t) => t !== FrameType.DATA);

/** Reassembles decoder output: DATA pieces of one frame are joined. */
function decodeAll(decoder: FrameDecoder, chunks: Buffer[], dataSizes: number[]): Array<{ type: number; payload: Buffer }> {
  const out: Array<{ type: number; payload: Buffer }> = [];
  let pendingData: Buffer[] = [];
  let sizes = [...dataSizes];
  let need = 0;
  const flush = (f: DecodedFrame): void => {
    if (f.type !== FrameType.DATA) { out.push({ type: f.type, payload: f.payload }); return; }
    if (need === 0) need = sizes.shift() ?? 0;
    pendingData.push(Buffer.from(f.payload));
    need -= f.payload.length;
    if (need === 0) { out.push({ type: FrameType.DATA, payload: Buffer.concat(pendingData) }); pendingData = []; }
  };
  for (const c of chunks) for (const f of decoder.push(c)) flush(f);
  sizes = [];
  return out;
}

test('frames survive any split of the byte stream (property)', () => {
  const frameArb = fc.oneof(
    fc.record({ type: fc.constantFrom(...controlTypes), payload: fc.uint8Array({ maxLength: 300 }) }),
    fc.record({ type: fc.constant(FrameType.DATA), payload: fc.uint8Array({ minLength: 1, maxLength: 3000 }) }),
  );
  fc.assert(fc.property(fc.array(frameArb, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 20 }), (frames, cuts) => {
    const wire = Buffer.concat(frames.map((f) => encodeFrame(f.type, f.payload)));
    const chunks: Buffer[] = [];
    let pos = 0;
    for (let i = 0; pos < wire.length; i++) {
      const n = cuts[i % cuts.length]!;
      chunks.push(wire.subarray(pos, pos + n));
      pos += n;
    }
    const decoder = new FrameDecoder({ accept: SERVER_FRAME_TYPES });
    const got = decodeAll(decoder, chunks, frames.filter((f) => f.type === FrameType.DATA).map((f) => f.payload.length));
    // Empty control payloads still produce a frame; DATA frames are non-empty here.
    assert.deepEqual(got.map((g) => [g.type, Buffer.from(g.payload).toString('hex')]), frames.map((f) => [f.type, Buffer.from(f.payload).toString('hex')]));
    assert.ok(decoder.idle);
  }), { numRuns: 300 });
});

test('random bytes either decode to accepted frames or throw ProtocolError, never anything else (property)', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
    const decoder = new FrameDecoder({ accept: CLIENT_FRAME_TYPES });
    try {
      for (const f of decoder.push(bytes)) {
        assert.ok(CLIENT_FRAME_TYPES.has(f.type));
        assert.ok(f.payload.length <= MAX_CONTROL_PAYLOAD);
        try { parseMessage(f.type as typeof FrameType.READ, f.payload); } catch (e) { assert.ok(e instanceof ProtocolError); }
      }
    } catch (e) {
      assert.ok(e instanceof ProtocolError, String(e));
      // A failed decoder stays failed.
      assert.throws(() => decoder.push(Buffer.from([0])), ProtocolError);
    }
  }), { numRuns: 500 });
});

test('oversized, unknown and wrong-direction frames are protocol errors', () => {
  const huge = Buffer.alloc(5);
  huge.writeUInt32BE(0xffffffff, 0);
  huge.writeUInt8(FrameType.READ, 4);
  assert.throws(() => new FrameDecoder({ accept: CLIENT_FRAME_TYPES }).push(huge), /exceeds/);
  assert.throws(() => new FrameDecoder({ accept: CLIENT_FRAME_TYPES }).push(encodeFrame(99 as FrameType, Buffer.alloc(1))), ProtocolError);
  assert.throws(() => new FrameDecoder({ accept: CLIENT_FRAME_TYPES }).push(encodeFrame(FrameType.DATA, Buffer.alloc(1))), ProtocolError);
  const bigData = Buffer.alloc(5);
  bigData.writeUInt32BE(64 * 1024 * 1024, 0);
  bigData.writeUInt8(FrameType.DATA, 4);
  assert.throws(() => new FrameDecoder({ accept: SERVER_FRAME_TYPES }).push(bigData), ProtocolError);
});

test('control messages are schema-checked', () => {
  const frame = encodeMessage(FrameType.READ, { ref: { key: 'ab', dataset: 'd', path: '/p', version: 'v', index: 0, blockSize: 10, fileSize: 5 }, offset: 0, length: 5 });
  const [f] = new FrameDecoder({ accept: CLIENT_FRAME_TYPES }).push(frame);
  assert.equal(parseMessage(FrameType.READ, f!.payload).ref.path, '/p');
  assert.throws(() => parseMessage(FrameType.READ, Buffer.from('{"ref":{}}')), ProtocolError);
  assert.throws(() => parseMessage(FrameType.READ, Buffer.from('not json')), ProtocolError);
  assert.throws(() => parseMessage(FrameType.READ, Buffer.from(JSON.stringify({ ref: { key: 'ab', dataset: 'd', path: '/p', version: 'v', index: -1, blockSize: 1, fileSize: 1 }, offset: 0, length: 1 }))), ProtocolError);
});

test('ExactFrameReader: exact-size reads reproduce the frames, DATA lands in the sink (property)', () => {
  const frameArb = fc.oneof(
    fc.record({ type: fc.constantFrom(...controlTypes), payload: fc.uint8Array({ maxLength: 300 }) }),
    fc.record({ type: fc.constant(FrameType.DATA), payload: fc.uint8Array({ minLength: 1, maxLength: 3000 }) }),
  );
  fc.assert(fc.property(fc.array(frameArb, { maxLength: 10 }), fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 10 }),
    fc.boolean(), (frames, reads, useSink) => {
      const wire = Buffer.concat(frames.map((f) => encodeFrame(f.type, f.payload)));
      const sinkBuf = Buffer.alloc(frames.reduce((s, f) => s + (f.type === FrameType.DATA ? f.payload.length : 0), 0));
      let sinkFilled = 0;
      const got: Array<{ type: number; payload: Buffer }> = [];
      let data: Buffer[] = [];
      const reader = new ExactFrameReader({
        accept: SERVER_FRAME_TYPES,
        dataSink: () => (useSink && sinkFilled < sinkBuf.length ? sinkBuf.subarray(sinkFilled) : undefined),
        onFrame: (f, inPlace) => {
          if (f.type === FrameType.DATA) {
            assert.equal(inPlace, useSink);
            if (inPlace) sinkFilled += f.payload.length;
            data.push(Buffer.from(f.payload));
            return;
          }
          if (data.length) { got.push({ type: FrameType.DATA, payload: Buffer.concat(data) }); data = []; }
          got.push({ type: f.type, payload: f.payload });
        },
      });
      let pos = 0;
      for (let i = 0; pos < wire.length; i++) {
        const buf = reader.nextBuffer();
        assert.ok(buf.length > 0);
        const n = Math.min(reads[i % reads.length]!, buf.length, wire.length - pos);
        wire.copy(buf, 0, pos, pos + n);
        pos += n;
        reader.onRead(n, buf);
      }
      // DATA frames are delivered as they arrive; adjacent ones are joined here, as in the encoding below.
      if (data.length) got.push({ type: FrameType.DATA, payload: Buffer.concat(data) });
      const want: Array<{ type: number; payload: Buffer }> = [];
      for (const f of frames) {
        const last = want[want.length - 1];
        if (f.type === FrameType.DATA && last?.type === FrameType.DATA) last.payload = Buffer.concat([last.payload, Buffer.from(f.payload)]);
        else want.push({ type: f.type, payload: Buffer.from(f.payload) });
      }
      assert.deepEqual(got.map((g) => [g.type, g.payload.toString('hex')]), want.map((w) => [w.type, w.payload.toString('hex')]));
      if (useSink) assert.ok(sinkBuf.equals(Buffer.concat(frames.filter((f) => f.type === FrameType.DATA).map((f) => Buffer.from(f.payload)))));
    }), { numRuns: 300 });
  const bad = new ExactFrameReader({ accept: SERVER_FRAME_TYPES, dataSink: () => undefined, onFrame: () => undefined });
  const b = bad.nextBuffer();
  encodeFrame(99 as FrameType, Buffer.alloc(0)).copy(b);
  assert.throws(() => bad.onRead(5, b), ProtocolError);
});

// The decoder's cost is linear in the bytes received: a peer that sends a frame a byte at a time
// (before HELLO, so unauthenticated) must not buy quadratic CPU. Bounded on this process's CPU
// time, not the wall clock: a loaded machine slows both, but only a quadratic decoder burns
// ~10^11 byte copies for the 512 KiB frame below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT_FRAME_TYPES, FrameDecoder, FrameType, encodeFrame } from '../src/data-channel/frame-codec.js';

test('a 512 KiB control frame fed one byte at a time decodes in linear time', () => {
  const size = 512 * 1024;
  const decoder = new FrameDecoder({ accept: CLIENT_FRAME_TYPES, maxControlPayload: size });
  const wire = encodeFrame(FrameType.HELLO, Buffer.alloc(size, 0x61));
  const before = process.cpuUsage();
  const frames = [];
  for (let i = 0; i < wire.length; i++) frames.push(...decoder.push(wire.subarray(i, i + 1)));
  const cpu = process.cpuUsage(before);
  assert.equal(frames.length, 1);
  assert.equal(frames[0]?.payload.length, size);
  assert.ok(decoder.idle);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  assert.ok(cpuMs < 15_000, `decoding took ${cpuMs} ms of CPU`);
});

test('a small limit set before HELLO refuses a larger control frame as soon as its header is in', () => {
  const decoder = new FrameDecoder({ accept: CLIENT_FRAME_TYPES });
  decoder.setMaxControlPayload(1024);
  const wire = encodeFrame(FrameType.HELLO, Buffer.alloc(4096));
  for (let i = 0; i < 4; i++) decoder.push(wire.subarray(i, i + 1));
  assert.throws(() => decoder.push(wire.subarray(4, 5)), { name: 'ProtocolError', message: /exceeds the 1024-byte limit/ });
  assert.ok(decoder.bufferedBytes === 0);
});

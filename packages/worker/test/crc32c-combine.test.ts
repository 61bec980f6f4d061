// The CRC32C of a block put together from the CRCs of its parts equals the CRC of its bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { crc32c } from '@node-rs/crc32';
import { crc32cCombine } from '../src/store/crc32c-combine.js';

test('crc32cCombine(crc(A), crc(B), |B|) = crc(A‖B), for empty, odd and MiB-sized parts', () => {
  for (const [a, b] of [[0, 0], [0, 5], [3, 0], [1, 1], [1000, 4 << 20], [(4 << 20) + 7, 12_345], [65_536, 65_536]] as const) {
    const A = randomBytes(a);
    const B = randomBytes(b);
    assert.equal(crc32cCombine(crc32c(A), crc32c(B), b), crc32c(Buffer.concat([A, B])) >>> 0, `|A| = ${a}, |B| = ${b}`);
  }
});

test('folding the parts of a block in order gives the block CRC', () => {
  const block = randomBytes(1_000_003);
  let crc = 0;
  for (let at = 0; at < block.length; at += 262_144) {
    const part = block.subarray(at, at + 262_144);
    crc = crc32cCombine(crc, crc32c(part), part.length);
  }
  assert.equal(crc, crc32c(block) >>> 0);
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_BLOCK_SIZE, blockCount, blockKey, blockLength, blockSlices } from '../src/block-math.js';
import { ValidationError } from '../src/errors.js';

const B = 1024;

describe('blockCount / blockLength', () => {
  test('0-byte file has no blocks', () => {
    assert.equal(blockCount(0, B), 0);
    assert.throws(() => blockLength(0, B, 0), ValidationError);
  });

  test('exact multiples and a last partial block', () => {
    assert.equal(blockCount(1, B), 1);
    assert.equal(blockCount(B, B), 1);
    assert.equal(blockCount(B + 1, B), 2);
    assert.equal(blockCount(3 * B, B), 3);
    assert.equal(blockLength(B, B, 0), B);
    assert.equal(blockLength(B + 1, B, 0), B);
    assert.equal(blockLength(B + 1, B, 1), 1);
    assert.equal(blockLength(2.5 * B, B, 2), 0.5 * B);
    assert.throws(() => blockLength(2 * B, B, 2), ValidationError);
    assert.throws(() => blockLength(2 * B, B, -1), ValidationError);
  });

  test('the seed file (588.90KiB) is one default block', () => {
    assert.equal(blockCount(603034, DEFAULT_BLOCK_SIZE), 1);
    assert.equal(blockLength(603034, DEFAULT_BLOCK_SIZE, 0), 603034);
  });

  test('invalid sizes are refused', () => {
    assert.throws(() => blockCount(-1, B), ValidationError);
    assert.throws(() => blockCount(1.5, B), ValidationError);
    assert.throws(() => blockCount(10, 0), ValidationError);
    assert.throws(() => blockCount(10, -B), ValidationError);
    assert.throws(() => blockCount(Number.NaN, B), ValidationError);
  });

  test('property: block lengths sum to the size, all but the last are full', () => {
    fc.assert(fc.property(fc.nat({ max: 1e7 }), fc.integer({ min: 1, max: 1e5 }), (size, bs) => {
      const n = blockCount(size, bs);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const len = blockLength(size, bs, i);
        assert.ok(len > 0 && len <= bs);
        if (i < n - 1) assert.equal(len, bs);
        sum += len;
      }
      assert.equal(sum, size);
    }), { numRuns: 200 });
  });
});

describe('blockSlices', () => {
  test('read inside one block', () => {
    assert.deepEqual(blockSlices(10, 20, 5 * B, B), [{ index: 0, offsetInBlock: 10, length: 20, fileOffset: 10 }]);
  });

  test('read crossing blocks', () => {
    assert.deepEqual(blockSlices(B - 10, B + 20, 5 * B, B), [
      { index: 0, offsetInBlock: B - 10, length: 10, fileOffset: B - 10 },
      { index: 1, offsetInBlock: 0, length: B, fileOffset: B },
      { index: 2, offsetInBlock: 0, length: 10, fileOffset: 2 * B },
    ]);
  });

  test('read exactly one block at a boundary', () => {
    assert.deepEqual(blockSlices(2 * B, B, 5 * B, B), [{ index: 2, offsetInBlock: 0, length: B, fileOffset: 2 * B }]);
  });

  test('read into the last partial block is clipped at EOF', () => {
    assert.deepEqual(blockSlices(2 * B + 100, 4 * B, 2 * B + 300, B), [{ index: 2, offsetInBlock: 100, length: 200, fileOffset: 2 * B + 100 }]);
  });

  test('reads at or past EOF, zero-length reads and 0-byte files yield nothing', () => {
    assert.deepEqual(blockSlices(5 * B, 10, 5 * B, B), []);
    assert.deepEqual(blockSlices(9 * B, 10, 5 * B, B), []);
    assert.deepEqual(blockSlices(10, 0, 5 * B, B), []);
    assert.deepEqual(blockSlices(0, 100, 0, B), []);
  });

  test('invalid offsets and lengths are refused', () => {
    assert.throws(() => blockSlices(-1, 10, B, B), ValidationError);
    assert.throws(() => blockSlices(0, -10, B, B), ValidationError);
    assert.throws(() => blockSlices(0.5, 10, B, B), ValidationError);
    assert.throws(() => blockSlices(0, 10, B, 0), ValidationError);
  });

  test('property: slices tile [offset, min(end, size)) contiguously', () => {
    fc.assert(fc.property(fc.nat({ max: 1e6 }), fc.nat({ max: 1e6 }), fc.nat({ max: 1e6 }), fc.integer({ min: 1, max: 5e4 }), (offset, length, size, bs) => {
      const slices = blockSlices(offset, length, size, bs);
      const end = Math.min(size, offset + length);
      let pos = offset;
      for (const s of slices) {
        assert.equal(s.fileOffset, pos);
        assert.equal(s.index, Math.floor(pos / bs));
        assert.equal(s.offsetInBlock, pos - s.index * bs);
        assert.ok(s.length > 0 && s.offsetInBlock + s.length <= blockLength(size, bs, s.index));
        pos += s.length;
      }
      assert.equal(pos, Math.max(offset, end));
    }), { numRuns: 300 });
  });
});

describe('blockKey', () => {
  const base = blockKey('demo', '/RELEASENOTES.md', '"etag-1"', 0, DEFAULT_BLOCK_SIZE);

  test('stable: same inputs give the same key; a hex SHA-256, safe as a file name', () => {
    assert.equal(blockKey('demo', '/RELEASENOTES.md', '"etag-1"', 0, DEFAULT_BLOCK_SIZE), base);
    assert.equal(blockKey('demo', '/RELEASENOTES.md', '"etag-1"', 0), base, 'default block size');
    assert.match(base, /^[0-9a-f]{64}$/);
  });

  test('differs by dataset, path, version, index and block size', () => {
    const others = [
      blockKey('demo2', '/RELEASENOTES.md', '"etag-1"', 0),
      blockKey('demo', '/RELEASENOTES.md.bak', '"etag-1"', 0),
      blockKey('demo', '/releasenotes.md', '"etag-1"', 0),
      blockKey('demo', '/RELEASENOTES.md', '"etag-2"', 0),
      blockKey('demo', '/RELEASENOTES.md', '"etag-1"', 1),
      blockKey('demo', '/RELEASENOTES.md', '"etag-1"', 0, 4 * 1024 * 1024),
    ];
    assert.equal(new Set([base, ...others]).size, others.length + 1);
  });

  test('field boundaries cannot be confused (no ambiguous concatenation)', () => {
    assert.notEqual(blockKey('a', 'b/c', 'v', 0), blockKey('a/b', 'c', 'v', 0));
    assert.notEqual(blockKey('ab', 'c', 'v', 0), blockKey('a', 'bc', 'v', 0));
    assert.notEqual(blockKey('d', '/p', 'v1', 0), blockKey('d', '/p', 'v', 10));
  });

  test('invalid index is refused', () => {
    assert.throws(() => blockKey('d', '/p', 'v', -1), ValidationError);
    assert.throws(() => blockKey('d', '/p', 'v', 1.5), ValidationError);
  });

  test('property: distinct tuples give distinct keys', () => {
    fc.assert(fc.property(fc.string(), fc.string(), fc.string(), fc.nat(), fc.string(), fc.string(), fc.string(), fc.nat(), (d1, p1, v1, i1, d2, p2,
      v2, i2) => {
      const same = d1 === d2 && p1 === p2 && v1 === v2 && i1 === i2;
      assert.equal(blockKey(d1, p1, v1, i1) === blockKey(d2, p2, v2, i2), same);
    }), { numRuns: 300 });
  });
});

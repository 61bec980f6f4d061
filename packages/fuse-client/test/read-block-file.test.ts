// The patched fuse-native's reader of small block files (fuse-native.c, readBlockFile), which
// small-block-files.ts uses for tmpfs tiers instead of Node's fs calls: the same refusals as
// local-block-opener.ts (a link anywhere below the tier, not a regular file, not one link, another
// owner, another length), the bytes checked against the CRC32C given, and that CRC32C equal to
// @node-rs/crc32's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chownSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { crc32c } from '@node-rs/crc32';

interface NativeReader {
  SUPPORTS_READ_BLOCK_FILE?: boolean;
  readBlockFile(root: string, rel: string, into: Buffer, crc: number): number;
  crc32c(data: Buffer): number;
}
const Fuse = createRequire(import.meta.url)('fuse-native') as NativeReader;
const { ENOENT, ELOOP, EINVAL, ENOTDIR } = constants.errno;

test('the patched fuse-native has the reader (scripts/setup.sh builds it)', () => {
  assert.equal(Fuse.SUPPORTS_READ_BLOCK_FILE, true);
});

test('CRC32C: the same as @node-rs/crc32 for every length up to 100 bytes and for a 64 KiB block', () => {
  for (let n = 0; n <= 100; n++) {
    const b = randomBytes(n);
    assert.equal(Fuse.crc32c(b) >>> 0, crc32c(b) >>> 0, `${n} bytes`);
  }
  const block = randomBytes(64 * 1024 + 3);
  assert.equal(Fuse.crc32c(block) >>> 0, crc32c(block) >>> 0);
  assert.equal(Fuse.crc32c(Buffer.from('123456789')) >>> 0, 0xe3069283, 'the check value of CRC-32C');
});

test('reads a block file whole, or says why not', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'eddy-read-block-file-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const shard = join(root, 'eddy', 'rt', 'ab');
  mkdirSync(shard, { recursive: true });
  const bytes = randomBytes(5000);
  const crc = crc32c(bytes) >>> 0;
  const put = (name: string, data = bytes): string => {
    writeFileSync(join(shard, name), data);
    return `eddy/rt/ab/${name}`;
  };
  const read = (rel: string, length = bytes.length, c = crc, from = root): { status: number; buf: Buffer } => {
    const buf = Buffer.alloc(length);
    return { status: Fuse.readBlockFile(from, rel, buf, c), buf };
  };

  const good = read(put('good'));
  assert.equal(good.status, 0);
  assert.ok(good.buf.equals(bytes), 'the file\'s bytes');
  assert.equal(read('eddy/rt/ab/good', bytes.length, (crc + 1) >>> 0).status, 1, 'bytes that do not match the CRC');
  assert.equal(read(put('short', bytes.subarray(0, 4000))).status, 5, 'another length than the block\'s');
  assert.equal(read('eddy/rt/ab/missing').status, -ENOENT, 'not there: evicted');

  // Links: the file itself, a directory on the way, the tier directory.
  symlinkSync(join(shard, 'good'), join(shard, 'link'));
  assert.equal(read('eddy/rt/ab/link').status, -ELOOP, 'the file is a link');
  symlinkSync(shard, join(root, 'eddy', 'rt', 'cd'));
  // O_DIRECTORY | O_NOFOLLOW on a link: ENOTDIR on Linux.
  assert.ok([-ELOOP, -ENOTDIR].includes(read('eddy/rt/cd/good').status), 'a linked directory on the way');
  const linkedRoot = `${root}-link`;
  symlinkSync(root, linkedRoot);
  t.after(() => rmSync(linkedRoot, { force: true }));
  assert.ok([-ELOOP, -ENOTDIR].includes(read('eddy/rt/ab/good', bytes.length, crc, linkedRoot).status), 'the tier directory is a link');
  assert.equal(read('eddy/rt/ab/../ab/good').status, -EINVAL, 'no ".." in the path');
  assert.equal(read('eddy//rt/ab/good').status, -EINVAL, 'no empty component');

  // Not a regular file with one link.
  linkSync(join(shard, 'good'), join(shard, 'hard'));
  assert.equal(read('eddy/rt/ab/hard').status, 3, 'two links');
  execFileSync('mkfifo', [join(shard, 'fifo')]);
  assert.equal(read('eddy/rt/ab/fifo').status, 2, 'a FIFO, opened without hanging');
  mkdirSync(join(shard, 'dir'));
  assert.equal(read('eddy/rt/ab/dir').status, 2, 'a directory');
});

test('a file of another owner than its tier directory\'s is refused', { skip: process.getuid?.() !== 0 && 'needs root, to give a file to another user' }, (t) => {
  const root = mkdtempSync(join(tmpdir(), 'eddy-read-block-file-owner-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'eddy', 'rt', 'ab'), { recursive: true });
  const bytes = randomBytes(100);
  const file = join(root, 'eddy', 'rt', 'ab', 'other');
  writeFileSync(file, bytes);
  chownSync(file, 12345, 12345);
  assert.equal(Fuse.readBlockFile(root, 'eddy/rt/ab/other', Buffer.alloc(100), crc32c(bytes) >>> 0), 4);
});

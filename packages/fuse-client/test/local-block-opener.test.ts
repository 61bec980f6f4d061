// Issue 15, local handoff (client side): the FUSE client opens only a regular file, named after
// the block, of the block's length, one link, owned by the tier directory's owner, whose real path
// lies in a tier directory the worker registered, opened without following links. Everything else
// is a LocalBlockRefusedError (ACCESS_DENIED), and nothing hangs (a FIFO).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync } from 'node:fs';
import { chown, link, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blockKey } from '@eddy/core';
import type { proto } from '@eddy/protocol';
import { LocalBlockOpener } from '../src/read-path/local-block-opener.js';

const BS = 4096;
let dir: string;
let root: string;
let outside: string;
let opener: LocalBlockOpener;
const key = blockKey('d', '/f', 'v1', 0, BS);
const ref: proto.BlockRef = { key, dataset: 'd', path: '/f', version: 'v1', index: 0, blockSize: BS, fileSize: BS + 10 };
const good = (): string => join(root, 'eddy', 'rt', key.slice(0, 2), `${key}.0badf00d`);

before(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'eddy-opener-')));
  root = join(dir, 'tier');
  outside = join(dir, 'outside');
  await mkdir(join(root, 'eddy', 'rt', key.slice(0, 2)), { recursive: true, mode: 0o700 });
  await mkdir(outside);
  opener = new LocalBlockOpener({ rootsOf: async (address) => (address === 'w:1' ? [root] : []) });
});

after(async () => { await rm(dir, { recursive: true, force: true }); });

async function refusedWith(path: string, why: RegExp, address = 'w:1'): Promise<void> {
  await assert.rejects(opener.open(address, path, ref), (e: Error & { code?: string }) => {
    assert.equal(e.name, 'LocalBlockRefusedError');
    assert.equal(e.code, 'ACCESS_DENIED');
    assert.match(e.message, why);
    return true;
  });
}

test('the block file in a registered tier directory opens', async () => {
  await writeFile(good(), Buffer.alloc(BS, 1));
  const { fh } = await opener.open('w:1', good(), ref);
  await fh.close();
});

test('a path outside the registered tier directories is refused, also when named like a block file', async () => {
  const p = join(outside, `${key}.0badf00d`);
  await writeFile(p, Buffer.alloc(BS, 2));
  await refusedWith(p, /outside the worker's tier directories/);
  await refusedWith('/etc/passwd', /outside the worker's tier directories/);
  await refusedWith(good(), /lists no tier directories/, 'other:1');
});

test('a symlink planted as the block file is refused when it leads out of the tier; one to the block file itself opens that file', async () => {
  const target = join(outside, 'secret');
  await writeFile(target, Buffer.alloc(BS, 3));
  const planted = join(root, 'eddy', 'rt', key.slice(0, 2), `${key}.11111111`);
  await symlink(target, planted);
  await refusedWith(planted, /outside the worker's tier directories/);
  // A link to another block-named file inside the tier: the realpath is fine, the name is not.
  const inside = join(root, 'eddy', 'rt', key.slice(0, 2), `${key}.22222222`);
  await symlink(good(), inside);
  await writeFile(good(), Buffer.alloc(BS, 1));
  const { fh } = await opener.open('w:1', inside, ref);
  await fh.close();
});

test('wrong name, wrong size, a hard link, a FIFO and a foreign owner are refused', async () => {
  const other = join(root, 'eddy', 'rt', key.slice(0, 2), 'not-a-block');
  await writeFile(other, Buffer.alloc(BS));
  await refusedWith(other, /is not the file of block/);
  const short = join(root, 'eddy', 'rt', key.slice(0, 2), `${key}.33333333`);
  await writeFile(short, Buffer.alloc(BS - 1));
  await refusedWith(short, /4095 bytes, the block has 4096/);
  const hard = join(root, 'eddy', 'rt', key.slice(0, 2), `${key}.44444444`);
  await writeFile(join(root, 'other-file'), Buffer.alloc(BS));
  await link(join(root, 'other-file'), hard);
  await refusedWith(hard, /2 links/);
  const fifo = join(root, 'eddy', 'rt', key.slice(0, 2), `${key}.55555555`);
  execFileSync('mkfifo', [fifo]);
  await refusedWith(fifo, /not a regular file/);
  if (process.getuid?.() === 0) {
    const foreign = join(root, 'eddy', 'rt', key.slice(0, 2), `${key}.66666666`);
    await writeFile(foreign, Buffer.alloc(BS));
    await chown(foreign, 4242, 4242);
    await refusedWith(foreign, /owned by uid 4242/);
  }
});

test('openSync (a file the mount found itself in a tier on tmpfs) makes the same checks; a missing file is gone, not suspicious', async () => {
  const shard = join(root, 'eddy', 'rt', key.slice(0, 2));
  await writeFile(good(), Buffer.alloc(BS, 1));
  closeSync(LocalBlockOpener.openSync(root, good(), ref));
  const refusedSync = (path: string, why: RegExp, gone = false): void => {
    assert.throws(() => LocalBlockOpener.openSync(root, path, ref), (e: Error & { code?: string; gone?: boolean }) => {
      assert.equal(e.name, 'LocalBlockRefusedError');
      assert.equal(e.code, 'ACCESS_DENIED');
      assert.match(e.message, why);
      assert.equal(e.gone, gone);
      return true;
    });
  };
  refusedSync(join(shard, `${key}.11111111`), /outside the worker's tier directories/);
  refusedSync(join(shard, 'not-a-block'), /is not the file of block/);
  refusedSync(join(shard, `${key}.33333333`), /4095 bytes, the block has 4096/);
  refusedSync(join(shard, `${key}.44444444`), /2 links/);
  refusedSync(join(shard, `${key}.55555555`), /not a regular file/);
  if (process.getuid?.() === 0) refusedSync(join(shard, `${key}.66666666`), /owned by uid 4242/);
  refusedSync(join(shard, `${key}.77777777`), /does not resolve/, true);
});

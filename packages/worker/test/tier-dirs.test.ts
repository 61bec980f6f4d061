// Issue 15, local handoff (worker side): tier directories are checked with lstat at start. A
// symlink, a directory owned by someone else or writable by group/others is refused with an error
// naming the path and the fix; a missing one is created 0700; a shared sticky directory (like
// /dev/shm) gets a private random subdirectory that a restart finds again (and look-alikes planted
// by others are skipped), so the blocks in it are recovered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, chown, lstat, mkdir, readdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlockStore, type TierConfig } from '../src/index.js';
import { tempDir } from './helpers.js';

const MiB = 1024 * 1024;
const tier = (path: string): TierConfig => ({ medium: 'MEM', path, quotaBytes: 8 * MiB, high: 0.95, low: 0.7 });
const KEY = 'ab'.repeat(32);
const asRoot = process.getuid?.() === 0;

async function refused(path: string, problem: RegExp, fix: RegExp, named = path): Promise<void> {
  await assert.rejects(BlockStore.open({ runtime: 'rt', tiers: [tier(path)] }), (e: Error & { code?: string; path?: string }) => {
    assert.equal(e.name, 'UnsafeTierDirectoryError');
    assert.equal(e.code, 'ACCESS_DENIED');
    assert.equal(e.path, named);
    assert.ok(e.message.includes(named), e.message);
    assert.match(e.message, problem);
    assert.match(e.message, fix);
    return true;
  });
}

test('a symlinked, group/other-writable or foreign-owned tier directory is refused, naming the path and the fix', async () => {
  const d = await tempDir();
  try {
    const real = join(d.path, 'real');
    await mkdir(real, { mode: 0o700 });
    await symlink(real, join(d.path, 'link'));
    await refused(join(d.path, 'link'), /symbolic link/, /real directory/);
    const open = join(d.path, 'open');
    await mkdir(open);
    await chmod(open, 0o777);
    await refused(open, /writable by group or others \(mode 0777\)/, /chmod 0700/);
    const group = join(d.path, 'group');
    await mkdir(group);
    await chmod(group, 0o770);
    await refused(group, /mode 0770/, /chmod 0700/);
    if (asRoot) {
      const foreign = join(d.path, 'foreign');
      await mkdir(foreign, { mode: 0o700 });
      await chown(foreign, 4242, 4242);
      await refused(foreign, /owned by uid 4242/, /chown 0/);
      // A planted eddy/<runtime> inside an otherwise good tier directory is refused too.
      const good = join(d.path, 'good');
      await mkdir(join(good, 'eddy', 'rt'), { recursive: true, mode: 0o700 });
      await chown(join(good, 'eddy', 'rt'), 4242, 4242);
      await refused(good, /owned by uid 4242/, /chown/, join(good, 'eddy', 'rt'));
    }
    // A symlink planted as eddy/<runtime> is refused (it would send block files elsewhere).
    const planted = join(d.path, 'planted');
    await mkdir(join(planted, 'eddy'), { recursive: true, mode: 0o700 });
    await symlink(real, join(planted, 'eddy', 'rt'));
    await refused(planted, /symbolic link/, /real directory/, join(planted, 'eddy', 'rt'));
  } finally { await d.cleanup(); }
});

test('a missing tier directory is created 0700, and so are the directories under it', async () => {
  const d = await tempDir();
  try {
    const path = join(d.path, 'a', 'b');
    const store = await BlockStore.open({ runtime: 'rt', tiers: [tier(path)] });
    for (const p of [path, join(path, 'eddy'), join(path, 'eddy', 'rt')]) assert.equal((await lstat(p)).mode & 0o777, 0o700, p);
    assert.equal(store.tierInfo()[0]!.path, await realpath(path));
    await store.close();
  } finally { await d.cleanup(); }
});

test('in a shared sticky directory the tier gets a private subdirectory, found again on restart with its blocks', async () => {
  const d = await tempDir();
  try {
    const shared = join(d.path, 'shm');
    await mkdir(shared);
    await chmod(shared, 0o1777);
    const store = await BlockStore.open({ runtime: 'rt', tiers: [tier(shared)] });
    const root = store.tierInfo()[0]!.path!;
    assert.match(root, /\/shm\/eddy-rt-[A-Za-z0-9]{6}$/);
    assert.equal((await lstat(root)).mode & 0o777, 0o700);
    await store.put(KEY, Buffer.alloc(1000, 7));
    await store.close();
    // Look-alikes: a symlink and (as root) a directory of another user with the same prefix.
    await symlink(d.path, join(shared, 'eddy-rt-AAAAAA'));
    if (asRoot) {
      await mkdir(join(shared, 'eddy-rt-BBBBBB'), { mode: 0o700 });
      await chown(join(shared, 'eddy-rt-BBBBBB'), 4242, 4242);
    }
    const again = await BlockStore.open({ runtime: 'rt', tiers: [tier(shared)] });
    assert.equal(again.tierInfo()[0]!.path, root, 'the same private directory');
    assert.ok(again.has(KEY), 'its block recovered');
    await again.close();
    const mine = (await readdir(shared)).filter((n) => n.startsWith('eddy-rt-'));
    assert.equal(mine.length, asRoot ? 3 : 2, 'no new private directory was made');
  } finally { await d.cleanup(); }
});

test('a tier directory owned by the worker and not writable by others is used as it is', async () => {
  const d = await tempDir();
  try {
    const path = join(d.path, 'ssd');
    await mkdir(path, { mode: 0o755 });
    await writeFile(join(d.path, 'unrelated'), 'x');
    const store = await BlockStore.open({ runtime: 'rt', tiers: [tier(path)] });
    assert.equal(store.tierInfo()[0]!.path, await realpath(path));
    await store.close();
  } finally { await d.cleanup(); }
});

// (b) Restart recovery: torn temp files and damaged block files left by a crash are discarded,
// good blocks come back with their accounting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, readFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BlockStore } from '../src/index.js';
import { bytesFor, tempDir, walk } from './helpers.js';

test('rescan drops temp files and failed checksums, keeps good blocks and their order', async () => {
  const t0 = await tempDir();
  const t1 = await tempDir();
  const tiers = [
    { medium: 'MEM' as const, path: t0.path, quotaBytes: 40_000, high: 0.9, low: 0.5 },
    { medium: 'SSD' as const, path: t1.path, quotaBytes: 400_000, high: 0.9, low: 0.5 },
  ];
  const s1 = await BlockStore.open({ runtime: 'rt', tiers });
  const keys = Array.from({ length: 12 }, (_, i) => `key-${i}`);
  for (const k of keys) await s1.put(k, bytesFor(k, 5_000 + keys.indexOf(k)));
  const before = s1.snapshot();
  const paths = new Map<string, string>();
  for (const k of keys) { const h = await s1.acquire(k); assert.ok(h); paths.set(k, h.path); h.release(); }
  // Block files are private to the worker's user, in private directories, also after demotion.
  for (const p of paths.values()) {
    assert.equal((await stat(p)).mode & 0o777, 0o600, p);
    assert.equal((await stat(join(p, '..'))).mode & 0o777, 0o700);
  }
  assert.equal((await stat(join(t1.path, 'eddy'))).mode & 0o777, 0o700);
  await s1.close();
  assert.ok(before[1]!.blocks.length > 0, 'some blocks were demoted to SSD');

  // A crash leaves: torn temp files, a truncated block, a block with a flipped byte.
  const dir0 = join(t0.path, 'eddy', 'rt');
  await mkdir(join(dir0, 'ke'), { recursive: true });
  await writeFile(join(dir0, 'ke', '.tmp-key-99-abcdef'), Buffer.alloc(3_000, 1));
  await writeFile(join(t1.path, 'eddy', 'rt', 'ke', '.tmp-key-98-123456'), Buffer.alloc(2_000, 1));
  const truncated = paths.get('key-11')!;
  await writeFile(truncated, (await readFile(truncated)).subarray(0, 100));
  const flipped = paths.get('key-3')!;
  const buf = await readFile(flipped);
  buf[10] = buf[10]! ^ 1;
  await writeFile(flipped, buf);

  const s2 = await BlockStore.open({ runtime: 'rt', tiers });
  try {
    const all = [...(await walk(join(t0.path, 'eddy'))), ...(await walk(join(t1.path, 'eddy')))];
    assert.ok(all.every((f) => !f.name.startsWith('.tmp-')), 'temp files discarded');
    const snap = s2.snapshot();
    for (const [i, t] of snap.entries()) {
      const files = await walk(join(tiers[i]!.path, 'eddy', 'rt'));
      assert.equal(t.usedBytes, files.reduce((s, f) => s + f.size, 0));
      assert.ok(t.usedBytes <= t.high * t.quotaBytes);
    }
    assert.deepEqual(s2.keys().sort(), keys.slice().sort(), 'every block file is indexed');
    assert.deepEqual(s2.drainDelta().added.sort(), keys.slice().sort(), 'full report after restart');
    for (const k of keys) {
      const h = await s2.acquire(k);
      if (k === 'key-11' || k === 'key-3') {
        assert.equal(h, null, `${k} fails verification and is not served`);
        await assert.rejects(stat(paths.get(k)!), { code: 'ENOENT' });
        continue;
      }
      assert.ok(h, k);
      assert.ok((await readFile(h.path)).equals(bytesFor(k, 5_000 + keys.indexOf(k))), k);
      h.release();
    }
    assert.deepEqual(s2.drainDelta().removed.sort(), ['key-11', 'key-3']);
    // MEM order survives: the tier keeps its LRU order by file time.
    assert.deepEqual(snap[0]!.blocks.map((b) => b.key), before[0]!.blocks.map((b) => b.key));
  } finally {
    await s2.close();
    await t0.cleanup();
    await t1.cleanup();
  }
});

test('a shrunken quota is enforced at start', async () => {
  const t0 = await tempDir();
  const s1 = await BlockStore.open({ runtime: 'rt', tiers: [{ medium: 'HDD', path: t0.path, quotaBytes: 100_000, high: 1, low: 0.9 }] });
  for (let i = 0; i < 9; i++) await s1.put(`q-${i}`, bytesFor(`q-${i}`, 10_000));
  await s1.close();
  const s2 = await BlockStore.open({ runtime: 'rt', tiers: [{ medium: 'HDD', path: t0.path, quotaBytes: 50_000, high: 0.8, low: 0.5 }] });
  try {
    const t = s2.snapshot()[0]!;
    assert.ok(t.usedBytes <= 40_000, `usage ${t.usedBytes}`);
    const files = await walk(join(t0.path, 'eddy', 'rt'));
    assert.equal(files.reduce((s, f) => s + f.size, 0), t.usedBytes);
  } finally { await s2.close(); await t0.cleanup(); }
});

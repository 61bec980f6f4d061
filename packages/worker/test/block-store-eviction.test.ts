// (a) Randomised eviction workload against two small tiers, invariants checked after every step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BlockStore, type BlockHandle, type EvictEvent } from '../src/index.js';
import { waitFor } from '@eddy/testkit';
import { bytesFor, tempDir, walk } from './helpers.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

test('randomised puts/reads/holds/removes keep quota, watermark, LRU and reader invariants', async () => {
  const t0 = await tempDir();
  const t1 = await tempDir();
  const tiers = [
    { medium: 'MEM' as const, path: t0.path, quotaBytes: 64 * 1024, high: 0.9, low: 0.6 },
    { medium: 'SSD' as const, path: t1.path, quotaBytes: 160 * 1024, high: 0.95, low: 0.7 },
  ];
  const evictions: EvictEvent[] = [];
  const lruViolations: string[] = [];
  const store: BlockStore = await BlockStore.open({
    runtime: 'rt', tiers, fsync: false,
    onEvict: (e) => {
      evictions.push(e);
      const tier = store.snapshot()[e.fromTier]!;
      const victim = tier.blocks.find((b) => b.key === e.key);
      if (!victim) { lruViolations.push(`${e.key} evicted but not in tier ${e.fromTier}`); return; }
      if (victim.refs > 0) lruViolations.push(`${e.key} evicted while read`);
      const older = tier.blocks.find((b) => b.refs === 0 && b.tick < victim.tick);
      if (older) lruViolations.push(`${e.key} (tick ${victim.tick}) evicted before idle ${older.key} (tick ${older.tick})`);
    },
  });
  const rand = rng(42);
  const keys = Array.from({ length: 120 }, (_, i) => `blk-${i.toString().padStart(3, '0')}`);
  const sizeOf = (k: string): number => 512 + (bytesFor(k, 2).readUInt16BE(0) % (15 * 1024));
  const present = new Set<string>();
  const held: Array<{ key: string; handle: BlockHandle }> = [];
  let puts = 0;
  let reads = 0;
  try {
    for (let step = 0; step < 2500; step++) {
      const r = rand();
      const key = keys[Math.floor(rand() * keys.length)]!;
      if (r < 0.45) {
        if (!store.has(key)) {
          await store.put(key, bytesFor(key, sizeOf(key)));
          puts++;
        }
      } else if (r < 0.8) {
        const h = await store.acquire(key);
        if (h) {
          assert.ok((await readFile(h.path)).equals(bytesFor(key, sizeOf(key))), `bytes of ${key} at step ${step}`);
          h.release();
          reads++;
        }
      } else if (r < 0.88) {
        if (held.length < 3) {
          const h = await store.acquire(key);
          if (h) held.push({ key, handle: h });
        }
      } else if (r < 0.95) {
        const h = held.shift();
        h?.handle.release();
      } else {
        await store.remove(key);
      }

      // Invariants after every step.
      assert.deepEqual(lruViolations, [], `step ${step}`);
      const snap = store.snapshot();
      for (const [i, t] of snap.entries()) {
        assert.ok(t.usedBytes <= t.quotaBytes, `tier ${i} usage ${t.usedBytes} > quota at step ${step}`);
        assert.ok(t.usedBytes <= t.high * t.quotaBytes, `tier ${i} usage ${t.usedBytes} > high watermark at step ${step}`);
        assert.equal(t.reservedBytes, 0);
      }
      // Delta bookkeeping matches the index.
      const d = store.drainDelta();
      for (const k of d.removed) present.delete(k);
      for (const k of d.added) present.add(k);
      assert.deepEqual([...present].sort(), store.keys().sort(), `delta vs index at step ${step}`);
      // Blocks being read stay on disk with their bytes.
      for (const h of held) {
        const st = await stat(h.handle.path);
        assert.equal(st.size, h.handle.size, `held ${h.key} still whole at step ${step}`);
      }
      if (step % 50 === 0) {
        // Accounting equals the bytes really on disk.
        // (A release unlinks asynchronously: allow it to land.)
        for (let i = 0; i < tiers.length; i++) {
          await waitFor(async () => {
            const files = await walk(join(tiers[i]!.path, 'eddy', 'rt'));
            return files.reduce((s, f) => s + f.size, 0) === store.snapshot()[i]!.usedBytes && files.every((f) => !f.name.startsWith('.tmp-'));
          }, { timeoutMs: 5_000, what: `tier ${i} bytes on disk = usage at step ${step}` });
        }
      }
    }
    for (const h of held.splice(0)) h.handle.release();
    await new Promise((r) => setTimeout(r, 50));
    // Demoted and surviving blocks are all readable with the right bytes.
    for (const k of store.keys()) {
      const h = await store.acquire(k);
      assert.ok(h);
      assert.ok((await readFile(h.path)).equals(bytesFor(k, sizeOf(k))));
      h.release();
    }
    assert.ok(evictions.some((e) => e.toTier === 1), 'some blocks were demoted');
    assert.ok(evictions.some((e) => e.toTier === null), 'some blocks were dropped from the last tier');
    assert.ok(puts > 500 && reads > 100, `workload ran (${puts} puts, ${reads} reads)`);
    for (let i = 0; i < tiers.length; i++) {
      await waitFor(async () => (await walk(join(tiers[i]!.path, 'eddy', 'rt'))).reduce((s, f) => s + f.size, 0) === store.snapshot()[i]!.usedBytes, { timeoutMs: 5_000, what: 'final accounting' });
    }
  } finally {
    await store.close();
    await t0.cleanup();
    await t1.cleanup();
  }
});

test('concurrent writes never push a tier past its quota (reserve before write)', async () => {
  const t0 = await tempDir();
  const t1 = await tempDir();
  const store = await BlockStore.open({
    runtime: 'rt', fsync: false,
    tiers: [
      { medium: 'MEM', path: t0.path, quotaBytes: 100_000, high: 1, low: 0.5 },
      { medium: 'HDD', path: t1.path, quotaBytes: 100_000, high: 1, low: 0.5 },
    ],
  });
  try {
    let maxSeen = [0, 0];
    const sample = setInterval(() => {
      const s = store.snapshot();
      maxSeen = [Math.max(maxSeen[0]!, s[0]!.usedBytes), Math.max(maxSeen[1]!, s[1]!.usedBytes)];
    }, 1);
    const results = await Promise.allSettled(Array.from({ length: 60 }, (_, i) => store.put(`c-${i}`, bytesFor(`c-${i}`, 9_000 + i * 10))));
    clearInterval(sample);
    // Reserved bytes of writes in progress cannot be evicted, so a burst may be refused, typed.
    assert.ok(results.filter((r) => r.status === 'fulfilled').length >= 10);
    for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { code: string }).code, 'NO_SPACE');
    assert.ok(maxSeen[0]! <= 100_000 && maxSeen[1]! <= 100_000, `max usage ${maxSeen}`);
    const snap = store.snapshot();
    assert.ok(snap[0]!.usedBytes <= 100_000 && snap[1]!.usedBytes <= 100_000);
    // One block larger than every tier is refused with a typed error.
    await assert.rejects(store.put('huge', Buffer.alloc(200_000)), { code: 'NO_SPACE' });
  } finally {
    await store.close();
    await t0.cleanup();
    await t1.cleanup();
  }
});

test('blocks the master pinned are never evicted; unpinned, they go like any other', async () => {
  const t0 = await tempDir();
  const store = await BlockStore.open({
    runtime: 'rt', fsync: false, tiers: [{ medium: 'MEM', path: t0.path, quotaBytes: 100_000, high: 0.9, low: 0.5 }],
  });
  try {
    for (let i = 0; i < 4; i++) await store.put(`p-${i}`, bytesFor(`p-${i}`, 10_000));
    store.pin(['p-0', 'p-1']);
    // Many more blocks than fit: the least recently used idle ones go, the pinned oldest stay.
    for (let i = 0; i < 20; i++) await store.put(`n-${i}`, bytesFor(`n-${i}`, 10_000));
    assert.ok(store.has('p-0') && store.has('p-1'), 'pinned blocks survive eviction');
    assert.ok(!store.has('p-2') && !store.has('p-3'), 'unpinned old blocks were evicted');
    assert.ok(store.snapshot()[0]!.usedBytes <= 90_000, 'the tier stays under its high watermark, pinned blocks counted');
    store.unpin(['p-0']);
    for (let i = 20; i < 30; i++) await store.put(`n-${i}`, bytesFor(`n-${i}`, 10_000));
    assert.ok(!store.has('p-0'), 'unpinned, it is evicted');
    assert.ok(store.has('p-1'));
    store.clearPins();
    for (let i = 30; i < 40; i++) await store.put(`n-${i}`, bytesFor(`n-${i}`, 10_000));
    assert.ok(!store.has('p-1'));
  } finally {
    await store.close();
    await t0.cleanup();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DatasetReadStats } from '../src/status/dataset-read-stats.js';

const T0 = 1_700_000_000_000;

test('a cold read then a warm read: the window ratio follows what was read in it, totals are since start', () => {
  const s = new DatasetReadStats({ hitRatioWindowMs: 60_000, throughputWindowMs: 10_000 });
  assert.equal(s.ratios('demo', T0).cacheHitRatio, null, 'nothing read yet');
  // Cold: 20 MiB from the bucket (fetched by the local worker for this read).
  s.report('mount-a', 'demo', { local: 0, remote: 0, ufs: 20 }, T0);
  assert.equal(s.ratios('demo', T0 + 1000).cacheHitRatio, 0);
  // Warm, 30 s later: 20 MiB short-circuit.
  s.report('mount-a', 'demo', { local: 20, remote: 0, ufs: 20 }, T0 + 30_000);
  let r = s.ratios('demo', T0 + 31_000);
  assert.equal(r.cacheHitRatio, 0.5, 'both reads in the 60 s window');
  assert.equal(r.localHitRatio, 0.5);
  assert.equal(r.remoteHitRatio, 0);
  assert.equal(r.cacheThroughputRatio, 1, 'only the warm read in the 10 s window');
  assert.deepEqual(r.totals, { local: 20, remote: 0, ufs: 20 });
  r = s.ratios('demo', T0 + 61_000);
  assert.equal(r.cacheHitRatio, 1, 'the cold read left the window');
  assert.equal(r.cacheThroughputRatio, null, 'nothing read in the last 10 s');
  assert.equal(r.hitRatioWindowSeconds, 60);
  assert.equal(r.throughputWindowSeconds, 10);
});

test('clients add up per dataset; a restarted client (smaller totals) counts from zero; datasets stay apart', () => {
  const s = new DatasetReadStats();
  assert.deepEqual(s.report('a', 'demo', { local: 10, remote: 0, ufs: 0 }, T0), { local: 10, remote: 0, ufs: 0 });
  assert.deepEqual(s.report('b', 'demo', { local: 0, remote: 30, ufs: 0 }, T0), { local: 0, remote: 30, ufs: 0 });
  assert.deepEqual(s.report('a', 'demo', { local: 10, remote: 0, ufs: 0 }, T0 + 500), { local: 0, remote: 0, ufs: 0 }, 'a repeat adds nothing');
  assert.deepEqual(s.report('a', 'demo', { local: 5, remote: 0, ufs: 0 }, T0 + 600), { local: 5, remote: 0, ufs: 0 }, 'restart');
  s.report('a', 'other', { local: 0, remote: 0, ufs: 99 }, T0 + 700);
  const r = s.ratios('demo', T0 + 1000);
  assert.deepEqual(r.totals, { local: 15, remote: 30, ufs: 0 });
  assert.equal(r.cacheHitRatio, 1);
  assert.equal(r.remoteHitRatio, 30 / 45);
  assert.equal(s.ratios('other', T0 + 1000).cacheHitRatio, 0);
  s.forget('other');
  assert.deepEqual(s.ratios('other', T0 + 1000).totals, { local: 0, remote: 0, ufs: 0 });
});

test('memory stays bounded: old samples and silent or surplus clients are dropped', () => {
  const s = new DatasetReadStats({ hitRatioWindowMs: 5000, throughputWindowMs: 1000, maxClients: 3, clientTtlMs: 60_000 });
  for (let i = 0; i < 1000; i++) s.report(`client-${i % 10}`, 'demo', { local: i, remote: 0, ufs: 0 }, T0 + i * 100);
  // Windows still work on what was kept.
  const r = s.ratios('demo', T0 + 999 * 100);
  assert.equal(r.cacheHitRatio, 1);
  // Only 3 clients are remembered: the 7 others' next reports count as restarts (whole totals).
  const before = s.ratios('demo', T0 + 100_000).totals.local;
  s.report('client-0', 'demo', { local: 1, remote: 0, ufs: 0 }, T0 + 100_001);
  assert.equal(s.ratios('demo', T0 + 100_002).totals.local, before + 1);
});

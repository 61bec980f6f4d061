// BlockRetention: which blocks outside the current versions are kept (held by a mount's lease, or
// within the grace period after they became stale) and when they may be freed. A fake clock.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { blockKey } from '@eddy/core';
import { BlockRetention, type HeldFile } from '../src/status/block-retention.js';

const DS = 'models';
const BS = 1024;
const key = (f: HeldFile, i: number): string => blockKey(DS, f.path, f.version, i, BS);

function retention(graceMs = 10_000, leaseMs = 30_000): { r: BlockRetention; clock: { t: number } } {
  const clock = { t: 1_000_000 };
  const r = new BlockRetention({ leaseMs, graceMs: () => graceMs, blockSizeOf: () => BS, now: () => clock.t });
  return { r, clock };
}

describe('BlockRetention', () => {
  const old: HeldFile = { path: '/m.bin', version: 'v1', size: 2.5 * BS };
  const other: HeldFile = { path: '/n.bin', version: 'v7', size: BS };

  test('a held version\'s blocks are kept; released, they are freed once their grace period is over', () => {
    const { r, clock } = retention();
    r.hold(DS, 'mount-a', [old]);
    assert.deepEqual([...r.heldKeys(DS)].sort(), [key(old, 0), key(old, 1), key(old, 2)].sort());
    const stale = [key(old, 0), key(old, 1), key(old, 2), 'gone-key'];
    assert.deepEqual(r.freeable(DS, stale), [], 'held keys are never freeable; others wait for the grace period');
    clock.t += 10_000;
    assert.deepEqual(r.freeable(DS, stale), ['gone-key'], 'after the grace period only the unheld key goes');
    assert.deepEqual(r.hold(DS, 'mount-a', []).sort(), [key(old, 0), key(old, 1), key(old, 2)].sort(), 'releasing a version names its keys');
    assert.deepEqual(r.freeable(DS, stale).sort(), stale.sort());
  });

  test('two mounts holding the same version: it stays until both release it', () => {
    const { r, clock } = retention(0);
    r.hold(DS, 'a', [old]);
    r.hold(DS, 'b', [old, other]);
    clock.t += 1;
    assert.equal(r.hold(DS, 'a', []).length, 3);
    assert.deepEqual(r.freeable(DS, [key(old, 0), key(other, 0)]), []);
    assert.equal(r.hold(DS, 'b', [other]).length, 3);
    assert.deepEqual(r.freeable(DS, [key(old, 0), key(other, 0)]), [key(old, 0)]);
    assert.equal(r.heldFile(DS, '/n.bin', 'v7')?.size, BS);
    assert.equal(r.heldFile(DS, '/m.bin', 'v1'), undefined);
  });

  test('a renewal with the same set changes nothing; a lease that is not renewed expires at the next sweep', () => {
    const { r, clock } = retention(0, 30_000);
    r.hold(DS, 'a', [old]);
    clock.t += 20_000;
    assert.deepEqual(r.hold(DS, 'a', [old]), [], 'a renewal releases nothing');
    clock.t += 20_000;
    assert.deepEqual(r.sweep(), [], 'renewed 20 s ago: still held');
    assert.ok(r.retains(DS, key(old, 1)));
    clock.t += 10_001;
    assert.deepEqual(r.sweep(), [DS], 'expired: the dataset\'s stale blocks may be freed now');
    assert.equal(r.retains(DS, key(old, 1)), false);
    assert.deepEqual(r.freeable(DS, [key(old, 1)]), [key(old, 1)]);
  });

  test('a sweep names a dataset once, when a grace period ends', () => {
    const { r, clock } = retention(10_000);
    assert.deepEqual(r.freeable(DS, ['k1']), []);
    assert.ok(r.retains(DS, 'k1'));
    clock.t += 5_000;
    assert.deepEqual(r.sweep(), []);
    clock.t += 5_000;
    assert.deepEqual(r.sweep(), [DS]);
    assert.equal(r.retains(DS, 'k1'), false);
    clock.t += 5_000;
    assert.deepEqual(r.sweep(), [], 'not again');
    assert.deepEqual(r.freeable(DS, ['k1']), ['k1']);
  });

  test('a mount holds at most maxFilesPerClient versions', () => {
    const r = new BlockRetention({ leaseMs: 1000, graceMs: () => 0, blockSizeOf: () => BS, maxFilesPerClient: 2 });
    r.hold(DS, 'a', [old, other, { path: '/x', version: 'v', size: 1 }]);
    assert.equal(r.heldFile(DS, '/x', 'v'), undefined);
    assert.equal(r.heldKeys(DS).size, 4);
  });
});

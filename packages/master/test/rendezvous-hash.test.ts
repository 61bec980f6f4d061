import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rendezvousPick, rendezvousRank } from '../src/placement/rendezvous-hash.js';

const keys = Array.from({ length: 20_000 }, (_, i) => `block-${i}`);

test('rendezvous: deterministic and roughly balanced', () => {
  const nodes = ['w1', 'w2', 'w3', 'w4'];
  const counts = new Map<string, number>();
  for (const k of keys) {
    const a = rendezvousPick(k, nodes);
    assert.equal(a, rendezvousPick(k, [...nodes].reverse()), 'order of nodes does not matter');
    counts.set(a as string, (counts.get(a as string) ?? 0) + 1);
  }
  for (const n of nodes) {
    const share = (counts.get(n) ?? 0) / keys.length;
    assert.ok(share > 0.22 && share < 0.28, `${n} gets ${share}`);
  }
  assert.equal(rendezvousPick('x', []), undefined);
});

test('rendezvous: a joining worker takes about 1/N of blocks, all moves go to it', () => {
  const before = ['w1', 'w2', 'w3', 'w4'];
  const after = [...before, 'w5'];
  let moved = 0;
  for (const k of keys) {
    const a = rendezvousPick(k, before);
    const b = rendezvousPick(k, after);
    if (a !== b) {
      moved++;
      assert.equal(b, 'w5', 'a block only moves to the new worker');
    }
  }
  const fraction = moved / keys.length;
  assert.ok(Math.abs(fraction - 1 / 5) < 0.02, `moved fraction ${fraction} ≈ 1/5`);
});

test('rendezvous: a leaving worker only moves its own blocks', () => {
  const before = ['w1', 'w2', 'w3'];
  const after = ['w1', 'w3'];
  for (const k of keys.slice(0, 5000)) {
    const a = rendezvousPick(k, before);
    if (a !== 'w2') assert.equal(rendezvousPick(k, after), a);
  }
  const ranked = rendezvousRank('k', before, 2);
  assert.equal(ranked.length, 2);
  assert.equal(ranked[0], rendezvousPick('k', before));
});

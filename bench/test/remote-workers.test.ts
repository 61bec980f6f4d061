// The remote-workers bench's goals (issue 17 item 6): ratios against raw TCP over the same veth and
// against the FUSE ceiling, met and not met, and "not measured" with the reason when a figure is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeRemoteWorkerGoals } from '../src/goals.js';

test('remote workers: Eddy against raw TCP (0.8×) and the ceiling (0.6×)', () => {
  const [tcp, ceiling] = computeRemoteWorkerGoals({ eddy: 400, rawTcp: 800, ceiling: 500 });
  assert.equal(tcp!.ratio, 0.5);
  assert.equal(tcp!.met, false);
  assert.match(tcp!.why, /^not met: 0\.5× against 0\.8×/);
  assert.match(tcp!.measured, /Eddy 400 MiB\/s, raw TCP 800 MiB\/s/);
  assert.equal(ceiling!.ratio, 0.8);
  assert.equal(ceiling!.met, true);
  const missing = computeRemoteWorkerGoals({ eddy: null, rawTcp: 800, ceiling: null });
  for (const g of missing) {
    assert.equal(g.met, null);
    assert.match(g.why, /^not measured: /);
  }
});

test('remote workers: the fuse-over-tcp floor beside each goal says whether the gap is Eddy\'s own', () => {
  const [tcp, ceiling] = computeRemoteWorkerGoals({ eddy: 150, rawTcp: 600, ceiling: 300, fuseOverTcp: 240 });
  // The floor reaches 0.4× raw TCP: no FUSE client of this shape reaches 0.8× here.
  assert.deepEqual(tcp!.floor, { by: 'fuse-over-tcp', ratio: 0.4 });
  assert.match(tcp!.why, /floor: fuse-over-tcp reaches only 0\.4×, so the goal is out of reach/);
  assert.match(tcp!.measured, /floor fuse-over-tcp 240 MiB\/s/);
  // It reaches 0.8× the ceiling, above 0.6×: the gap there is the client's own.
  assert.deepEqual(ceiling!.floor, { by: 'fuse-over-tcp', ratio: 0.8 });
  assert.match(ceiling!.why, /floor: fuse-over-tcp reaches 0\.8×, so the gap is the client's own overhead/);
  const without = computeRemoteWorkerGoals({ eddy: 150, rawTcp: 600, ceiling: 300 });
  assert.equal(without[0]!.floor, undefined);
  assert.doesNotMatch(without[0]!.why, /floor/);
});

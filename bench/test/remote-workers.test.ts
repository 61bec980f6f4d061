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

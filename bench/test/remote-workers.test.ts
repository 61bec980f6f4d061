// The remote-workers bench's goals (issue 17 item 6): ratios against raw TCP over the same veth and
// against the FUSE ceiling, met and not met, and "not measured" with the reason when a figure is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeRemoteWorkerGoals } from '../src/goals.js';
import { counterDelta, parseCounters } from '../src/remote/byte-counters.js';

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

test('remote workers: the per-pass byte counters of the workers and the mount, summed over endpoints, as deltas', () => {
  const worker = (served: number, hits: number): string => [
    '# HELP eddy_worker_served_bytes_total Bytes sent',
    `eddy_worker_served_bytes_total{dataset="bench",source="cache"} ${served}`,
    'eddy_worker_served_bytes_total{dataset="bench",source="ufs"} 0',
    `eddy_worker_block_reads_total{dataset="bench",result="hit"} ${hits}`,
    'eddy_worker_evictions_total{dataset="bench"} 9',
  ].join('\n');
  const before = parseCounters(worker(1048576, 3));
  const after = parseCounters(worker(3145728, 5));
  parseCounters('eddy_client_worker_failures_total{dataset="bench"} 2\neddy_client_read_bytes_total{dataset="bench",source="remote"} 2097152', after);
  assert.deepEqual(counterDelta(before, after), {
    'eddy_worker_served_MiB{source="cache"}': 2, 'eddy_worker_served_MiB{source="ufs"}': 0,
    'eddy_worker_block_reads_total{result="hit"}': 2, 'eddy_client_worker_failures_total': 2, 'eddy_client_read_MiB{source="remote"}': 2,
  });
});

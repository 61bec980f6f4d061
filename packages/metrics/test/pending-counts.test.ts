// The client's hot counters add their increments when collected (pending-counts.ts): every
// increment made before a scrape is in it, whichever of the counters is read first, and none twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { ClientMetrics } from '../src/index.js';

async function values(registry: Registry, name: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await registry.getSingleMetric(name)!.get()).values) out[Object.values(v.labels).join(',')] = v.value;
  return out;
}

test('reads and FUSE operations counted before a collection are all in it, once', async () => {
  const registry = new Registry();
  const m = new ClientMetrics(registry);
  m.read('d', 'local', 100);
  m.read('d', 'local', 50, 3);
  m.read('d', 'ufs', 7);
  m.startFuseOp('d', 'open')(true);
  m.startFuseOp('d', 'open')(false);
  m.fuseOpsAnswered('d', 'release', 40);
  assert.deepEqual(await values(registry, 'eddy_client_read_bytes_total'), { 'd,local': 150, 'd,ufs': 7 });
  assert.deepEqual(await values(registry, 'eddy_client_reads_total'), { 'd,local': 4, 'd,ufs': 1 });
  assert.deepEqual(await values(registry, 'eddy_fuse_operations_total'), { 'd,open,ok': 1, 'd,open,error': 1, 'd,release,ok': 40 });
  // A second collection with nothing new: the same values; then more increments add to them.
  assert.deepEqual(await values(registry, 'eddy_client_read_bytes_total'), { 'd,local': 150, 'd,ufs': 7 });
  m.read('d', 'local', 1);
  m.fuseOpsAnswered('d', 'release', 2);
  const text = await registry.metrics();
  assert.match(text, /eddy_client_read_bytes_total\{dataset="d",source="local"\} 151/);
  assert.match(text, /eddy_fuse_operations_total\{dataset="d",op="release",result="ok"\} 42/);
  assert.deepEqual(m.readTotals().get('d'), { local: 151, remote: 0, ufs: 7 }, 'the totals reported to the master, at once');
});

// A real Prometheus scrapes an endpoint that requires the token: with the right bearer token it
// reads the counters (PromQL agrees with what was counted), with a wrong one the target is down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@eddy/core';
import { startPrometheus, waitFor } from '@eddy/testkit';
import { ClientMetrics, createProcessRegistry, HttpEndpoint, metricsRoute } from '../src/index.js';

test('Prometheus scrapes /metrics with the cluster token as a bearer token', async (t) => {
  const token = 'scrape-token-5678';
  const registry = createProcessRegistry();
  const metrics = new ClientMetrics(registry);
  const ep = await HttpEndpoint.start({ listen: '127.0.0.1:0', token, routes: [metricsRoute(registry)], logger: silentLogger(), alwaysRequireCredential: true });
  t.after(() => ep.close());
  const prom = await startPrometheus([
    { job: 'eddy-mount', address: ep.address, token },
    { job: 'wrong-token', address: ep.address, token: 'not-the-token' },
  ]);
  t.after(() => prom.close());

  metrics.read('demo', 'ufs', 1000);
  metrics.read('demo', 'local', 3000);
  const after = Date.now();
  await prom.waitForScrape('eddy-mount', after);
  assert.equal(await prom.scalar('up{job="eddy-mount"}'), 1);
  // The target with the wrong token is scraped too, and found down (401).
  await waitFor(async () => (await prom.scalar('up{job="wrong-token"}')) === 0, { timeoutMs: 30_000, what: 'the wrong-token target to be down' });
  assert.equal(await prom.scalar('eddy_client_read_bytes_total{job="eddy-mount",dataset="demo",source="ufs"}'), 1000);
  const ratio = await prom.scalar('sum(eddy_client_read_bytes_total{job="eddy-mount",source=~"local|remote"}) / sum(eddy_client_read_bytes_total{job="eddy-mount"})');
  assert.equal(ratio, 0.75);
  assert.ok((await prom.scalar('process_resident_memory_bytes{job="eddy-mount"}') ?? 0) > 0);
});

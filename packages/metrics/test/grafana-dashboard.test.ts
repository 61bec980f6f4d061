// deploy/grafana/eddy.json stays true to the metrics: every query parses in a real Prometheus and
// names only metrics that Eddy defines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { Registry } from 'prom-client';
import { startPrometheus } from '@eddy/testkit';
import { ClientMetrics, MasterMetrics, WorkerMetrics } from '../src/index.js';

const DASHBOARD = new URL('../../../../deploy/grafana/eddy.json', import.meta.url);

interface Panel { title: string; type: string; targets?: Array<{ expr: string }> }

test('every dashboard query parses in Prometheus and uses defined Eddy metrics', async (t) => {
  const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as { panels: Panel[]; templating: { list: Array<{ name: string }> } };
  assert.deepEqual(dashboard.templating.list.map((v) => v.name), ['datasource', 'dataset']);
  const registry = new Registry();
  new ClientMetrics(registry);
  new WorkerMetrics(registry);
  new MasterMetrics(registry);
  const defined = new Set<string>();
  for (const m of await registry.getMetricsAsJSON()) {
    defined.add(m.name);
    // prom-client declares `type` as a numeric enum but sets the string ('histogram').
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) defined.add(m.name + s);
  }
  const prom = await startPrometheus([]);
  t.after(() => prom.close());
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((x) => ({ title: p.title, expr: x.expr })));
  assert.ok(exprs.length >= 15);
  for (const { title, expr } of exprs) {
    for (const name of expr.match(/\beddy_[a-z_]+/g) ?? []) assert.ok(defined.has(name), `${title}: ${name} is not an Eddy metric`);
    const q = expr.replaceAll('$__rate_interval', '1m').replaceAll('$dataset', '.*');
    await assert.doesNotReject(prom.query(q), `${title}: ${q}`);
  }
});

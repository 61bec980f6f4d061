// What the operator renders for Prometheus (every Pod's /metrics port and flags, the metrics Service,
// the scrape token) and the hit ratios it mirrors into the Dataset's status, as Fluid writes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { proto } from '@eddy/protocol';
import type { KubeObject } from '../src/kube/kube-api.js';
import { DEFAULT_RENDER_OPTIONS, RenderContext } from '../src/render/render-context.js';
import { masterStatefulSet } from '../src/render/master-workload.js';
import { workerStatefulSet } from '../src/render/worker-workload.js';
import { fuseDaemonSet } from '../src/render/fuse-workload.js';
import { metricsService, scrapeTokenSecret } from '../src/render/metrics-scrape.js';
import { datasetStatus } from '../src/reconcile/status-views.js';

const meta = (name: string, kind: string): KubeObject['metadata'] => ({ name, namespace: 'team-a', uid: `${kind}-uid`, generation: 3 });
const dataset: KubeObject = { apiVersion: 'data.fluid.io/v1alpha1', kind: 'Dataset', metadata: meta('demo', 'Dataset'), spec: {} };
const runtime: KubeObject = { apiVersion: 'data.fluid.io/v1alpha1', kind: 'JindoRuntime', metadata: meta('demo', 'JindoRuntime'), spec: {} };
const tier = { medium: 'MEM' as const, path: '/dev/shm', quotaBytes: 2 ** 30, high: 0.95, low: 0.7, volumeType: 'hostPath' as const };

interface Container { args: string[]; ports: Array<{ name: string; containerPort: number }>; volumeMounts: Array<{ name: string; mountPath: string }> }
interface PodSpec { containers: Container[]; volumes: Array<{ name: string; secret?: { secretName: string } }> }
function podOf(obj: KubeObject): PodSpec {
  return (obj['spec'] as { template: { spec: PodSpec } }).template.spec;
}

function workloads(scrapeToken: boolean): Array<[string, PodSpec]> {
  const ctx = new RenderContext(dataset, runtime, { ...DEFAULT_RENDER_OPTIONS, scrapeToken });
  return [
    ['master', podOf(masterStatefulSet(ctx))],
    ['worker', podOf(workerStatefulSet(ctx, [tier], 1))],
    ['fuse', podOf(fuseDaemonSet(ctx, ['-oro'], {}))],
  ];
}

test('every Pod listens for /metrics on a port named metrics; with a scrape token, mounts it and names it', () => {
  const ports = { master: 9100, worker: 9101, fuse: 9102 } as Record<string, number>;
  for (const [name, pod] of workloads(true)) {
    const c = pod.containers[0]!;
    const port = ports[name]!;
    assert.deepEqual(c.ports.find((p) => p.name === 'metrics')?.containerPort, port, name);
    const listen = c.args.indexOf('--metrics-listen');
    assert.equal(c.args[listen + 1], `0.0.0.0:${port}`, name);
    assert.equal(c.args[c.args.indexOf('--metrics-token-file') + 1], '/etc/eddy/metrics/token', name);
    assert.equal(c.volumeMounts.find((m) => m.name === 'scrape-token')?.mountPath, '/etc/eddy/metrics', name);
    assert.equal(pod.volumes.find((v) => v.name === 'scrape-token')?.secret?.secretName, 'demo-eddy-metrics-token', name);
  }
  // Without one, /metrics asks for the token the component already has (--token-file): nothing more to mount.
  for (const [name, pod] of workloads(false)) {
    const c = pod.containers[0]!;
    assert.ok(c.args.includes('--metrics-listen'), name);
    assert.ok(!c.args.includes('--metrics-token-file'), name);
    assert.ok(!pod.volumes.some((v) => v.name === 'scrape-token'), name);
  }
});

test('the metrics Service selects every Pod of the Dataset, headless, by the port name', () => {
  const ctx = new RenderContext(dataset, runtime, DEFAULT_RENDER_OPTIONS);
  const svc = metricsService(ctx);
  assert.equal(svc.metadata.name, 'demo-eddy-metrics');
  assert.equal(svc.metadata.labels?.['app.kubernetes.io/component'], 'metrics');
  const spec = svc['spec'] as { clusterIP: string; selector: Record<string, string>; ports: Array<{ name: string; targetPort: string }> };
  assert.equal(spec.clusterIP, 'None');
  // Every component's Pod labels carry the selector (master, worker and fuse alike).
  for (const [name, labels] of [['master', ctx.names.labels('master')], ['worker', ctx.names.labels('worker')], ['fuse', ctx.names.labels('fuse')]] as const) {
    for (const [k, v] of Object.entries(spec.selector)) assert.equal(labels[k], v, `${name} ${k}`);
  }
  assert.deepEqual(spec.ports.map((p) => [p.name, p.targetPort]), [['metrics', 'metrics']]);
  const secret = scrapeTokenSecret(ctx, 'scrape-me');
  assert.equal(Buffer.from((secret['data'] as { token: string }).token, 'base64').toString(), 'scrape-me');
  assert.equal(secret['immutable'], undefined, 'a new scrape token must reach the copy');
});

const masterStatus = (o: Partial<proto.DatasetStatus__Output>): proto.DatasetStatus__Output => ({
  phase: 'Bound', reason: '', runtime: 'demo', ufsTotalBytes: 100, fileNum: 1, ufsTotal: '100.00B', cached: '100.00B',
  cacheCapacity: '1.00GiB', cachedPercentage: '100.0%', cachedBytes: 100, cacheCapacityBytes: 2 ** 30, cachedRatio: 1,
  cacheHitRatio: 0, cacheHitRatioPercentage: '0.0%', localHitRatio: 0, remoteHitRatio: 0, cacheThroughputRatio: 0,
  localThroughputRatio: 0, remoteThroughputRatio: 0, hitRatioWindowSeconds: 60, throughputWindowSeconds: 10,
  bytesReadLocal: 0, bytesReadRemote: 0, bytesReadUfs: 0, liveWorkers: 1, desiredWorkers: 1, lastRefreshTimeMs: 0, source: 'bucket', ...o,
});

test('the Dataset status carries Fluid\'s six ratios as Fluid prints them, the windows and the bytes by source', () => {
  const status = datasetStatus(dataset, masterStatus({
    cacheHitRatio: 5 / 6, cacheHitRatioPercentage: '83.3%', localHitRatio: 0.5, remoteHitRatio: 1 / 3,
    cacheThroughputRatio: 1, localThroughputRatio: 0.25, remoteThroughputRatio: 0.75,
    bytesReadLocal: 300, bytesReadRemote: 200, bytesReadUfs: 100,
  }), 'demo', 'JindoRuntime');
  const states = status['cacheStates'] as Record<string, unknown>;
  assert.deepEqual(
    Object.fromEntries(Object.entries(states).filter(([k]) => /Ratio$|Window|bytesRead/.test(k))),
    {
      cacheHitRatio: '83.3%', localHitRatio: '50.0%', remoteHitRatio: '33.3%',
      cacheThroughputRatio: '100.0%', localThroughputRatio: '25.0%', remoteThroughputRatio: '75.0%',
      hitRatioWindowSeconds: 60, throughputWindowSeconds: 10, bytesReadLocal: 300, bytesReadRemote: 200, bytesReadUfs: 100,
    },
  );
  // Nothing read in the window: Fluid's "0.0%", not an absent field.
  const idle = datasetStatus(dataset, masterStatus({}), 'demo', 'JindoRuntime')['cacheStates'] as Record<string, unknown>;
  assert.equal(idle['localThroughputRatio'], '0.0%');
  // No master answer yet: no ratios made up.
  const none = datasetStatus(dataset, undefined, 'demo', 'JindoRuntime')['cacheStates'] as Record<string, unknown>;
  assert.equal(none['cacheHitRatio'], undefined);
});

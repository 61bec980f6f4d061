// deploy/helm/eddy: `helm lint` is clean and `helm template` renders what the README promises (the
// applied result is exercised against a real API server by the kube-operator tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '@eddy/test-cluster';
import { CHART_DIR, helm, KUBE_VERSION } from './helpers/kube-operator-cluster.js';

interface PodSpec {
  serviceAccountName: string;
  securityContext: { runAsNonRoot: boolean };
  containers: Array<{ image: string; command: string[]; args: string[] }>;
}
interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: { replicas?: number; template?: { spec: PodSpec } };
  rules?: unknown[];
}

/** The chart's documents, read as T (YAML parsed to plain JSON). */
function renderAs<T>(...set: string[]): T[] {
  const out = helm(['template', 'eddy', CHART_DIR, '--kube-version', KUBE_VERSION, '--namespace', 'eddy-system', ...set.flatMap((s) => ['--set', s])]);
  return parseAllDocuments(out).map((d) => d.toJSON() as T).filter((d) => d !== null);
}

function render(...set: string[]): Doc[] {
  return renderAs<Doc>(...set);
}

test('helm lint is clean, with default and with namespaced values', () => {
  for (const set of [[], ['watchNamespaces={default,team-a}', 'crds.fluid=false', 'components.storageClass=fast']]) {
    const out = helm(['lint', '--strict', CHART_DIR, ...set.flatMap((s) => ['--set', s])]);
    assert.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  }
});

test('the chart carries deploy/crds unchanged, and leaves Fluid\'s out where Fluid is installed', () => {
  const crds = readdirSync(join(REPO_ROOT, 'deploy', 'crds')).filter((f) => f.endsWith('.yaml')).sort();
  for (const f of crds) {
    assert.equal(readFileSync(join(CHART_DIR, 'files', 'crds', f), 'utf8'), readFileSync(join(REPO_ROOT, 'deploy', 'crds', f), 'utf8'), f);
  }
  const all = render().filter((d) => d.kind === 'CustomResourceDefinition').map((d) => d.metadata.name).sort();
  assert.deepEqual(all, ['alluxioruntimes.data.fluid.io', 'dataloads.data.fluid.io', 'datasets.data.fluid.io', 'eddyruntimes.data.eddy.dev', 'jindoruntimes.data.fluid.io']);
  const withFluid = render('crds.fluid=false').filter((d) => d.kind === 'CustomResourceDefinition').map((d) => d.metadata.name);
  assert.deepEqual(withFluid, ['eddyruntimes.data.eddy.dev']);
});

test('the operator Deployment: two replicas, non-root, the watched namespaces and runtime kinds as flags', () => {
  const docs = render('watchNamespaces={default,team-a}', 'operator.runtimeKinds={EddyRuntime}', 'image.tag=1.2.3');
  const deployment = docs.find((d) => d.kind === 'Deployment')!;
  assert.equal(deployment.spec?.replicas, 2);
  const pod = deployment.spec!.template!.spec;
  assert.equal(pod.serviceAccountName, 'eddy-operator');
  assert.equal(pod.securityContext.runAsNonRoot, true);
  const c = pod.containers[0]!;
  assert.equal(c.image, 'eddy:1.2.3');
  assert.deepEqual(c.command, ['eddy']);
  for (const flag of ['operator', '--namespace=default', '--namespace=team-a', '--runtime-kinds=EddyRuntime', '--image=eddy:1.2.3', '--leader-election-namespace=eddy-system']) {
    assert.ok(c.args.includes(flag), `${flag} in ${c.args.join(' ')}`);
  }
  // Namespaced rights only where served; no ClusterRole for Secrets.
  const roles = docs.filter((d) => d.kind === 'Role' && d.metadata.name === 'eddy-eddy-operator').map((d) => d.metadata.namespace).sort();
  assert.deepEqual(roles, ['default', 'team-a']);
  for (const cr of docs.filter((d) => d.kind === 'ClusterRole')) assert.doesNotMatch(JSON.stringify(cr.rules), /secrets/);
  // Cluster-wide when no namespace is listed.
  const wide = render().filter((d) => d.kind === 'ClusterRole').map((d) => JSON.stringify(d.rules)).join();
  assert.match(wide, /secrets/);
});

interface MonitorDoc {
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    namespaceSelector: { any?: boolean; matchNames?: string[] };
    selector: { matchLabels: Record<string, string> };
    endpoints: Array<{ port: string; path: string; authorization: { type: string; credentials: { name: string; key: string } } }>;
  };
}
interface OperatorPod {
  containers: Array<{ args: string[]; volumeMounts: Array<{ name: string; mountPath: string }> }>;
  volumes: Array<{ name: string; secret?: { secretName: string } }>;
}
/** Any document of the chart, with the fields these checks read. */
interface MetricsDoc extends Partial<Omit<MonitorDoc, 'kind' | 'metadata'>> {
  kind: string;
  metadata: { name: string };
  data?: { token: string };
  spec?: MonitorDoc['spec'] & { template: { spec: OperatorPod } };
}

test('metrics: a scrape token Secret the operator hands on; a ServiceMonitor only when asked for', () => {
  const defaults = renderAs<MetricsDoc>();
  assert.equal(defaults.filter((d) => d.kind === 'ServiceMonitor').length, 0, 'no ServiceMonitor by default (its CRD may be absent)');
  const secret = defaults.find((d) => d.kind === 'Secret' && d.metadata.name === 'eddy-eddy-metrics');
  const token = Buffer.from(secret?.data?.token ?? '', 'base64').toString();
  assert.match(token, /^[A-Za-z0-9]{48}$/);
  const pod = defaults.find((d) => d.kind === 'Deployment')!.spec!.template.spec;
  assert.ok(pod.containers[0]!.args.includes('--metrics-token-file=/etc/eddy/metrics/token'), pod.containers[0]!.args.join(' '));
  assert.deepEqual(pod.containers[0]!.volumeMounts.find((m) => m.name === 'scrape-token')?.mountPath, '/etc/eddy/metrics');
  assert.equal(pod.volumes.find((v) => v.name === 'scrape-token')?.secret?.secretName, 'eddy-eddy-metrics');

  const monitors = renderAs<MonitorDoc>('metrics.serviceMonitor.enabled=true', 'metrics.serviceMonitor.labels.release=kps')
    .filter((d) => d.kind === 'ServiceMonitor');
  assert.equal(monitors.length, 1);
  const m = monitors[0]!;
  assert.equal(m.metadata.namespace, 'eddy-system');
  assert.equal(m.metadata.labels['release'], 'kps');
  assert.deepEqual(m.spec.namespaceSelector, { any: true });
  // What the operator labels each Dataset's metrics Service with (packages/operator render/metrics-scrape.ts).
  assert.deepEqual(m.spec.selector.matchLabels, { 'app.kubernetes.io/managed-by': 'eddy-operator', 'app.kubernetes.io/component': 'metrics' });
  assert.deepEqual(m.spec.endpoints.map((e) => [e.port, e.path, e.authorization.type, e.authorization.credentials]),
    [['metrics', '/metrics', 'Bearer', { name: 'eddy-eddy-metrics', key: 'token' }]]);

  // Served namespaces only; a Secret of the user's own instead of the generated one.
  const own = renderAs<MetricsDoc>('metrics.serviceMonitor.enabled=true', 'watchNamespaces={default,team-a}', 'metrics.scrapeToken.existingSecret=prom-scrape');
  const scoped = own.find((d) => d.kind === 'ServiceMonitor')!.spec!;
  assert.deepEqual(scoped.namespaceSelector, { matchNames: ['default', 'team-a'] });
  assert.equal(scoped.endpoints[0]!.authorization.credentials.name, 'prom-scrape');
  assert.equal(own.filter((d) => d.kind === 'Secret').length, 0, 'no generated Secret beside the user\'s own');
  const ownPod = own.find((d) => d.kind === 'Deployment')!.spec!.template.spec;
  assert.equal(ownPod.volumes.find((v) => v.name === 'scrape-token')?.secret?.secretName, 'prom-scrape');

  const lint = helm(['lint', '--strict', CHART_DIR, '--set', 'metrics.serviceMonitor.enabled=true', '--set', 'watchNamespaces={default}']);
  assert.match(lint, /1 chart\(s\) linted, 0 chart\(s\) failed/);
});

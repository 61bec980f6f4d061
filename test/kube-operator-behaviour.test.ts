// How the operator behaves as a well-kept controller, on a real API server (no Pods are run here):
// two replicas elect one leader through a Lease, a bad Runtime gets a condition and an Event naming
// the field while other Datasets are served, and the chart's RBAC keeps it out of Secrets of the
// namespaces it does not serve.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeTestCluster } from '@eddy/testkit';
import { CleanupStack, eventually } from '@eddy/test-cluster';
import { OPERATOR_ACCOUNT, OPERATOR_NAMESPACE, startOperatorCluster, startOperatorProcess, waitForLog } from './helpers/kube-operator-cluster.js';

const cleanup = new CleanupStack();
after(async () => { await cleanup.run(); });

let cluster: KubeTestCluster;
before(async () => {
  // The chart rendered for two served namespaces; "elsewhere" is not one of them.
  cluster = await startOperatorCluster({ watchNamespaces: ['default', 'team-a'], garbageCollector: false });
  cleanup.add('kube cluster', () => cluster.close());
  cluster.kubectl(['create', 'namespace', 'elsewhere']);
});

const datasetYaml = (name: string): string => `apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: ${name}}
spec:
  mounts: [{mountPoint: "s3://bucket/${name}", options: {fs.s3.endpoint: "http://127.0.0.1:9"}}]
`;
const runtimeYaml = (name: string, quota: string): string => `apiVersion: data.fluid.io/v1alpha1
kind: JindoRuntime
metadata: {name: ${name}}
spec:
  replicas: 2
  tieredstore: {levels: [{mediumtype: MEM, path: /dev/shm, quota: ${quota}, high: "0.99", low: "0.8"}]}
`;

const leaseHolder = (): string => cluster.kubectl(['get', 'lease', 'eddy-operator', '-n', OPERATOR_NAMESPACE, '-o', 'jsonpath={.spec.holderIdentity}'], { allowFail: true }).stdout;

test('with two replicas exactly one leads; when it stops, the other takes over', { timeout: 120_000 }, async () => {
  const a = startOperatorProcess(cluster, 'replica-a');
  cleanup.add('replica a', () => a.stop('SIGTERM'));
  await waitForLog(a, /"msg":"became leader"/, 30_000);
  const b = startOperatorProcess(cluster, 'replica-b');
  cleanup.add('replica b', () => b.stop('SIGTERM'));
  await waitForLog(b, /"msg":"operator starting"/, 30_000);
  // Several lease periods (3 s) pass: b keeps trying and never wins while a renews.
  await new Promise((r) => setTimeout(r, 8000));
  assert.equal(leaseHolder(), 'replica-a');
  assert.doesNotMatch(b.stderr, /became leader/);
  assert.equal(a.running && b.running, true);
  await a.stop('SIGTERM');
  await waitForLog(b, /"msg":"became leader"/, 30_000);
  assert.equal(leaseHolder(), 'replica-b');
});

test('a bad Runtime (quota lots) gets a condition and an Event; other datasets are served', { timeout: 120_000 }, async () => {
  cluster.kubectl(['apply', '-f', '-'], { stdin: `${datasetYaml('good')}---\n${runtimeYaml('good', '1Gi')}---\n${datasetYaml('bad')}---\n${runtimeYaml('bad', 'lots')}` });
  const condition = await eventually('the Ready=False condition', 60_000, async () => {
    const out = cluster.kubectl(['get', 'jindoruntime', 'bad', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")]}']).stdout;
    return out ? JSON.parse(out) as Record<string, string> : undefined;
  });
  assert.equal(condition['status'], 'False');
  assert.equal(condition['reason'], 'InvalidSpec');
  assert.match(condition['message']!, /spec\.tieredstore\.levels\[0\]\.quota/);
  assert.match(condition['message']!, /lots/);
  const events = await eventually('the Warning Event', 30_000, async () => {
    const out = cluster.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=bad,involvedObject.kind=JindoRuntime', '-o', 'json']).stdout;
    const items = (JSON.parse(out) as { items: Array<Record<string, string>> }).items;
    return items.length > 0 ? items : undefined;
  });
  assert.equal(events[0]!['type'], 'Warning');
  assert.equal(events[0]!['reason'], 'InvalidSpec');
  assert.match(events[0]!['message']!, /spec\.tieredstore\.levels\[0\]\.quota/);
  assert.equal(cluster.kubectl(['get', 'dataset', 'bad', '-o', 'jsonpath={.status.phase}']).stdout, 'Failed');
  // Nothing was made for the bad one; the good one got its workloads, volume and a status.
  assert.notEqual(cluster.kubectl(['get', 'statefulset', 'bad-eddy-worker'], { allowFail: true }).code, 0);
  await eventually('the good workloads', 30_000, async () => cluster.kubectl(['get', 'statefulset', 'good-eddy-worker', '-o', 'jsonpath={.spec.replicas}']).stdout === '2' || undefined);
  cluster.kubectl(['get', 'daemonset', 'good-eddy-fuse']);
  cluster.kubectl(['get', 'pvc', 'good']);
  await eventually('a status on the good dataset', 30_000, async () => cluster.kubectl(['get', 'dataset', 'good', '-o', 'jsonpath={.status.phase}']).stdout === 'NotBound' || undefined);

  // Fixing the field is all it takes.
  cluster.kubectl(['apply', '-f', '-'], { stdin: runtimeYaml('bad', '1Gi') });
  await eventually('the fixed runtime served', 60_000, async () => cluster.kubectl(['get', 'statefulset', 'bad-eddy-worker'], { allowFail: true }).code === 0 || undefined);
});

test('RBAC: the operator\'s account cannot read Secrets outside the namespaces it serves', () => {
  const as = `system:serviceaccount:${OPERATOR_NAMESPACE}:${OPERATOR_ACCOUNT}`;
  const can = (...args: string[]): string => cluster.kubectl(['auth', 'can-i', ...args, '--as', as], { allowFail: true }).stdout.trim();
  assert.equal(can('get', 'secrets', '-n', 'default'), 'yes');
  assert.equal(can('list', 'secrets', '-n', 'team-a'), 'yes');
  assert.equal(can('get', 'secrets', '-n', 'elsewhere'), 'no');
  assert.equal(can('list', 'secrets', '--all-namespaces'), 'no');
  assert.equal(can('get', 'secrets', '-n', 'kube-system'), 'no');
  assert.equal(can('create', 'configmaps', '-n', 'default'), 'no');
  assert.equal(can('update', 'leases', '-n', OPERATOR_NAMESPACE), 'yes');
  assert.equal(can('update', 'leases', '-n', 'default'), 'no');
  // And with its own credentials, not only by impersonation.
  cluster.kubectl(['create', 'secret', 'generic', 'not-yours', '-n', 'elsewhere', '--from-literal=k=v']);
  const denied = cluster.kubectl(['get', 'secret', 'not-yours', '-n', 'elsewhere'], { as: 'operator', allowFail: true });
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /forbidden/i);
});

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

function render(...set: string[]): Doc[] {
  const out = helm(['template', 'eddy', CHART_DIR, '--kube-version', KUBE_VERSION, '--namespace', 'eddy-system', ...set.flatMap((s) => ['--set', s])]);
  return parseAllDocuments(out).map((d) => d.toJSON() as Doc).filter((d) => d !== null);
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

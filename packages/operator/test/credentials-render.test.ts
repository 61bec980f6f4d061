// Least privilege on Kubernetes (issue 15): one credential Secret per role, and each Pod mounts and
// names only its own role's Secret: the master all three, workers the worker token, FUSE Pods the
// client token scoped to their dataset (no ufs=direct).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCredentials } from '@eddy/protocol/rpc';
import type { KubeObject } from '../src/kube/kube-api.js';
import { credentialSecret, tokenOf } from '../src/render/cluster-credentials.js';
import { CREDENTIAL_ROLES, DEFAULT_RENDER_OPTIONS, RenderContext } from '../src/render/render-context.js';
import { masterStatefulSet } from '../src/render/master-workload.js';
import { workerStatefulSet } from '../src/render/worker-workload.js';
import { fuseDaemonSet } from '../src/render/fuse-workload.js';

const meta = (name: string, kind: string): KubeObject['metadata'] => ({ name, namespace: 'team-a', uid: `${kind}-uid`, generation: 1 });
const dataset: KubeObject = { apiVersion: 'data.fluid.io/v1alpha1', kind: 'Dataset', metadata: meta('demo', 'Dataset'), spec: {} };
const runtime: KubeObject = { apiVersion: 'data.fluid.io/v1alpha1', kind: 'JindoRuntime', metadata: meta('demo', 'JindoRuntime'), spec: {} };
const tier = { medium: 'MEM' as const, path: '/dev/shm', quotaBytes: 2 ** 30, high: 0.95, low: 0.7, volumeType: 'hostPath' as const };

interface Container { args: string[]; volumeMounts: Array<{ name: string; mountPath: string }> }
interface PodSpec { containers: Container[]; volumes: Array<{ name: string; secret?: { secretName: string } }> }
function podOf(obj: KubeObject): PodSpec {
  return (obj['spec'] as { template: { spec: PodSpec } }).template.spec;
}

function secretsOf(pod: PodSpec): string[] {
  return pod.volumes.flatMap((v) => (v.secret ? [v.secret.secretName] : [])).sort();
}

/** The flag → file pairs of credential flags in a container's args. */
function tokenFlags(c: Container): Record<string, string> {
  const out: Record<string, string> = {};
  c.args.forEach((a, i) => { if (/token-file$/.test(a) && a !== '--metrics-token-file') out[a] = c.args[i + 1]!; });
  return out;
}

for (const scrapeToken of [false, true]) {
  test(`each Pod mounts and names only its role's credential Secret (scrape token: ${scrapeToken})`, () => {
    const ctx = new RenderContext(dataset, runtime, { ...DEFAULT_RENDER_OPTIONS, scrapeToken });
    const scrape = scrapeToken ? ['demo-eddy-metrics-token'] : [];
    const master = podOf(masterStatefulSet(ctx));
    assert.deepEqual(secretsOf(master), ['demo-eddy-admin-token', 'demo-eddy-client-token', 'demo-eddy-worker-token', ...scrape].sort());
    assert.deepEqual(tokenFlags(master.containers[0]!), {
      '--admin-token-file': '/etc/eddy/credentials/admin/token',
      '--worker-token-file': '/etc/eddy/credentials/worker/token',
      '--client-token-file': '/etc/eddy/credentials/client/token',
    });
    assert.ok(!master.containers[0]!.args.includes('--token-file'), 'the deprecated all-roles flag');

    const worker = podOf(workerStatefulSet(ctx, [tier], 2));
    assert.deepEqual(secretsOf(worker), ['demo-eddy-worker-token', ...scrape].sort());
    assert.deepEqual(tokenFlags(worker.containers[0]!), { '--token-file': '/etc/eddy/credentials/worker/token' });

    const fuse = podOf(fuseDaemonSet(ctx, ['-oro'], {}));
    assert.deepEqual(secretsOf(fuse), ['demo-eddy-client-token', ...scrape].sort());
    assert.deepEqual(tokenFlags(fuse.containers[0]!), { '--token-file': '/etc/eddy/credentials/client/token' });

    // Every token file a Pod names lies in a volume that Pod mounts from that role's Secret.
    for (const pod of [master, worker, fuse]) {
      const c = pod.containers[0]!;
      for (const file of Object.values(tokenFlags(c))) {
        const mount = c.volumeMounts.find((m) => file.startsWith(`${m.mountPath}/`));
        const role = /credentials\/(\w+)\//.exec(file)![1]!;
        assert.equal(pod.volumes.find((v) => v.name === mount?.name)?.secret?.secretName, `demo-eddy-${role}-token`, file);
      }
    }
  });
}

test('the client Secret is scoped to its dataset without ufs=direct; admin and worker are plain; tokens read back', () => {
  const ctx = new RenderContext(dataset, runtime, DEFAULT_RENDER_OPTIONS);
  for (const role of CREDENTIAL_ROLES) {
    const secret = credentialSecret(ctx, role, `tok-${role}`);
    assert.equal(secret.metadata.name, `demo-eddy-${role}-token`);
    assert.equal(secret['immutable'], true);
    assert.deepEqual(secret.metadata.ownerReferences?.map((o) => o.uid), ['JindoRuntime-uid']);
    const text = Buffer.from((secret['data'] as { token: string }).token, 'base64').toString();
    const [cred, ...more] = parseCredentials(text, role, role);
    assert.equal(more.length, 0);
    assert.equal(cred!.token, `tok-${role}`);
    assert.deepEqual(cred!.datasets, role === 'client' ? ['demo'] : undefined, role);
    assert.equal(cred!.directUfs, undefined, role);
    assert.equal(tokenOf(secret), `tok-${role}`, 'a reconcile keeps the existing token');
  }
  assert.equal(tokenOf(undefined), undefined);
  assert.equal(tokenOf({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, data: { token: '' } }), undefined);
});

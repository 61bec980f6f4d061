import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../src/kube/kube-api.js';
import { desiredSpec, masterDocuments, SpecError } from '../src/spec/desired-spec.js';
import { RenderContext, DEFAULT_RENDER_OPTIONS } from '../src/render/render-context.js';
import { workerStatefulSet } from '../src/render/worker-workload.js';
import { fuseDaemonSet } from '../src/render/fuse-workload.js';

const meta = (name: string, kind: string): KubeObject['metadata'] => ({ name, namespace: 'default', uid: `${kind}-uid`, generation: 1 });

const dataset: KubeObject = {
  apiVersion: 'data.fluid.io/v1alpha1', kind: 'Dataset', metadata: meta('demo', 'Dataset'),
  spec: {
    mounts: [{
      mountPoint: 'oss://bucket/path', options: { 'fs.oss.endpoint': 'oss.example' }, name: 'hbase', path: '/',
      encryptOptions: [{ name: 'fs.oss.accessKeyId', valueFrom: { secretKeyRef: { name: 'mysecret', key: 'fs.oss.accessKeyId' } } }],
    }],
    accessModes: ['ReadOnlyMany'],
  },
};
const runtime = (quota: unknown): KubeObject => ({
  apiVersion: 'data.fluid.io/v1alpha1', kind: 'JindoRuntime', metadata: meta('demo', 'JindoRuntime'),
  spec: {
    replicas: 1,
    tieredstore: { levels: [{ mediumtype: 'MEM', path: '/dev/shm', quota, high: '0.99', low: '0.8' }] },
    fuse: { args: ['-okernel_cache', '-oro', '-oattr_timeout=60'], nodeSelector: { 'eddy/fuse': 'yes' } },
  },
});
const secret: KubeObject = {
  apiVersion: 'v1', kind: 'Secret', metadata: meta('mysecret', 'Secret'),
  data: { 'fs.oss.accessKeyId': Buffer.from('AKID').toString('base64'), 'fs.oss.accessKeySecret': Buffer.from('SECRET').toString('base64') },
};
const cronLoad = (name: string, schedule: string): KubeObject => ({
  apiVersion: 'data.fluid.io/v1alpha1', kind: 'DataLoad', metadata: meta(name, 'DataLoad'),
  spec: { dataset: { name: 'demo', namespace: 'default' }, policy: 'Cron', schedule },
});

test('the seed validates with Eddy\'s parser; only referenced Secret keys reach the master, k8s-only fields do not', () => {
  const spec = desiredSpec({ dataset, runtime: runtime('2Gi'), dataLoads: [cronLoad('cron-dataload', '*%10 * * * *')], secretOf: (n) => (n === 'mysecret' ? secret : undefined) });
  assert.deepEqual(spec.tiers, [{ medium: 'MEM', path: '/dev/shm', quotaBytes: 2 * 2 ** 30, high: 0.99, low: 0.8, volumeType: 'hostPath' }]);
  assert.deepEqual(spec.fuseNodeSelector, { 'eddy/fuse': 'yes' });
  const docs = masterDocuments(spec);
  assert.ok(docs.includes('"fs.oss.accessKeyId":"AKID"'));
  assert.ok(!docs.includes('SECRET'), 'an unreferenced key was sent');
  assert.ok(!docs.includes('nodeSelector'));
  assert.ok(docs.includes('"quota":"2Gi"'), 'quantities go to the master as written');
  assert.ok(!docs.includes('"namespace"'), 'the master holds one dataset, in its one namespace');
});

test('a bad quota is a SpecError on the Runtime naming the field', () => {
  assert.throws(() => desiredSpec({ dataset, runtime: runtime('lots'), dataLoads: [], secretOf: () => secret }), (err: unknown) => {
    assert.ok(err instanceof SpecError);
    assert.equal(err.object.kind, 'JindoRuntime');
    assert.equal(err.path, 'spec.tieredstore.levels[0].quota');
    assert.match(err.message, /lots/);
    return true;
  });
});

test('a missing Secret is a SpecError on the Dataset; a bad DataLoad is reported alone', () => {
  assert.throws(() => desiredSpec({ dataset, runtime: runtime('2Gi'), dataLoads: [], secretOf: () => undefined }),
    (err: unknown) => err instanceof SpecError && err.reason === 'SecretNotFound' && err.path.endsWith('secretKeyRef.name'));
  const spec = desiredSpec({ dataset, runtime: runtime('2Gi'), dataLoads: [cronLoad('good', '*/2 * * * *'), cronLoad('bad', 'every day')], secretOf: () => secret });
  assert.deepEqual([...spec.dataLoads.keys()], ['good']);
  assert.equal(spec.badDataLoads[0]?.object.metadata.name, 'bad');
  assert.equal(spec.badDataLoads[0]?.path, 'spec.schedule');
});

test('the worker and FUSE templates carry the tiers, the fuse args and no credential values', () => {
  const spec = desiredSpec({ dataset, runtime: runtime('2Gi'), dataLoads: [], secretOf: () => secret });
  const ctx = new RenderContext(dataset, runtime('2Gi'), DEFAULT_RENDER_OPTIONS);
  const sts = JSON.stringify(workerStatefulSet(ctx, spec.tiers, 3));
  assert.ok(sts.includes('"emptyDir":{"medium":"Memory","sizeLimit":"2147483648"}'));
  assert.ok(sts.includes('"MEM:/dev/shm/blocks:2147483648:0.99:0.8"'));
  assert.ok(sts.includes('"replicas":3'));
  const ds = JSON.stringify(fuseDaemonSet(ctx, spec.runtime.spec.fuse.args, spec.fuseNodeSelector));
  assert.ok(ds.includes('"-o","kernel_cache","-o","ro","-o","attr_timeout=60"'));
  assert.ok(ds.includes('"mountPropagation":"Bidirectional"'));
  assert.ok(ds.includes('"nodeSelector":{"eddy/fuse":"yes"}'));
  for (const text of [sts, ds]) assert.ok(!text.includes('AKID') && !text.includes('SECRET'));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, parseAllDocuments } from 'yaml';
import { absoluteFileUrl, resolveRelativeFileUrls } from '../src/manifest-input.js';
import { documentRefs } from '../src/actions/delete-action.js';

test('relative file:// mount points resolve against the manifest directory', () => {
  assert.equal(absoluteFileUrl('file://./data', '/srv/ex'), 'file:///srv/ex/data');
  assert.equal(absoluteFileUrl('file://data/my%20dir', '/srv/ex'), 'file:///srv/ex/data/my%20dir');
  assert.equal(absoluteFileUrl('file:///abs', '/srv/ex'), 'file:///abs');
  assert.equal(absoluteFileUrl('s3://b/p', '/srv/ex'), 's3://b/p');
});

test('resolveRelativeFileUrls rewrites only Dataset mountPoints and keeps the rest', () => {
  const text = [
    '# a comment',
    'apiVersion: v1',
    'kind: Secret',
    'metadata: {name: s}',
    'stringData: {k: "file://./not-a-mount"}',
    '---',
    'apiVersion: data.fluid.io/v1alpha1',
    'kind: Dataset',
    'metadata:',
    '  name: demo',
    'spec:',
    '  mounts:',
    '    - mountPoint: file://./data # the bucket',
    '    - mountPoint: s3://bucket/x',
    '',
  ].join('\n');
  const out = resolveRelativeFileUrls(text, '/srv/ex');
  type Doc = { stringData: { k: string }; spec: { mounts: { mountPoint: string }[] } };
  const docs = parseAllDocuments(out).map((d) => d.toJS() as Doc);
  assert.equal(docs.length, 2);
  assert.equal(docs[0]!.stringData.k, 'file://./not-a-mount');
  assert.equal(docs[1]!.spec.mounts[0]!.mountPoint, 'file:///srv/ex/data');
  assert.equal(docs[1]!.spec.mounts[1]!.mountPoint, 's3://bucket/x');
  assert.match(out, /# a comment/);
  const plain = 'kind: Dataset\nspec: {mounts: [{mountPoint: "s3://b/"}]}\n';
  assert.equal(resolveRelativeFileUrls(plain, '/x'), plain);
  assert.equal(parse(resolveRelativeFileUrls('kind: Dataset\nspec: {mounts: [{mountPoint: "file://d"}]}\n', '/x')).spec.mounts[0].mountPoint, 'file:///x/d');
});

test('documentRefs lists kind and name of each document', () => {
  assert.deepEqual(documentRefs('kind: Secret\nmetadata: {name: a}\n---\n---\nkind: Dataset\nmetadata: {name: b}\n', 'f'), [
    { kind: 'Secret', name: 'a' }, { kind: 'Dataset', name: 'b' },
  ]);
  assert.throws(() => documentRefs('kind: Secret\n', 'f.yaml'), /f\.yaml: document 0: needs kind and metadata\.name/);
});

test('eddy load builds a Once DataLoad manifest', async () => {
  const { dataLoadManifest } = await import('../src/actions/load-action.js');
  const { parseManifests } = await import('@eddy/manifest');
  const m = dataLoadManifest('demo', { path: ['/a', '/b.bin'], replicas: '2', loadMetadata: true }, new Date('2026-01-02T03:04:05Z'));
  assert.equal(m.name, 'demo-load-20260102-030405');
  const [load] = parseManifests(m.yaml);
  assert.equal(load?.kind, 'DataLoad');
  assert.deepEqual(load?.kind === 'DataLoad' ? load.spec.target : undefined, [{ path: '/a', replicas: 2 }, { path: '/b.bin', replicas: 2 }]);
  assert.throws(() => dataLoadManifest('demo', { path: [], replicas: '0' }), /--replicas must be a whole number/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseAllDocuments } from 'yaml';
import { readUpManifests } from '../src/up/up-manifests.js';
import { workerTiers } from '../src/up/up-cluster.js';
import type { CliIo } from '../src/cli-io.js';

const DATASET = 'apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata: {name: demo}\nspec:\n  mounts: [{mountPoint: "file://./data"}]\n';
const RUNTIME = 'apiVersion: data.fluid.io/v1alpha1\nkind: JindoRuntime\nmetadata: {name: demo}\nspec:\n  replicas: 2\n  tieredstore:\n    levels: [{mediumtype: MEM, path: /dev/shm, quota: 64Mi}]\n';
const LOAD = 'apiVersion: data.fluid.io/v1alpha1\nkind: DataLoad\nmetadata: {name: warm}\nspec:\n  dataset: {name: demo}\n  policy: Once\n';

test('eddy up manifests: several files, relative file:// per file, DataLoads held back, clear errors', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-up-m-'));
  try {
    await writeFile(join(dir, 'a.yaml'), DATASET);
    await writeFile(join(dir, 'b.yaml'), `${RUNTIME}---\n${LOAD}`);
    const io: CliIo = { stdout: { write: () => true }, stderr: { write: () => true }, stdin: Readable.from(['']), env: {}, cwd: '/' };
    const m = await readUpManifests([join(dir, 'a.yaml'), join(dir, 'b.yaml')], undefined, io);
    assert.equal(m.dataset.metadata.name, 'demo');
    assert.equal(m.dataset.spec.mounts[0]!.mountPoint, `file://${dir}/data`);
    assert.equal(m.runtimes[0]!.spec.replicas, 2);
    assert.deepEqual(m.dataLoadNames, ['warm']);
    const kept = parseAllDocuments(m.withoutDataLoads).map((d) => (d.toJS() as { kind: string }).kind);
    assert.deepEqual(kept, ['Dataset', 'JindoRuntime']);
    const tiers = workerTiers(m.runtimes[0]!, 1, 'abcd');
    assert.equal(tiers[0]!.path, '/dev/shm/eddy-up-abcd/demo-worker-1');
    assert.equal(tiers[0]!.quota, 64 * 1024 * 1024);

    await assert.rejects(readUpManifests([join(dir, 'a.yaml')], undefined, io), /no JindoRuntime or AlluxioRuntime/);
    await assert.rejects(readUpManifests([join(dir, 'a.yaml'), join(dir, 'b.yaml')], 'other', io), /--dataset other: no Dataset of that name/);
    await writeFile(join(dir, 'bad.yaml'), RUNTIME.replace('64Mi', 'lots'));
    await assert.rejects(readUpManifests([join(dir, 'a.yaml'), join(dir, 'bad.yaml')], undefined, io), /quota/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// The CRDs in deploy/crds on a real API server: the seed's manifests apply verbatim (validated
// server-side, strict field validation), what Eddy's schemas refuse is refused here too, and
// `kubectl get dataset|dataload` print the seed's columns from the status subresource.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startKubeTestCluster, type KubeTestCluster } from '@eddy/testkit';
import { REPO_ROOT } from '@eddy/test-cluster';
import { readSeed, seedDir } from './helpers/seed-manifests.js';

let cluster: KubeTestCluster;
before(async () => {
  cluster = await startKubeTestCluster();
  cluster.kubectl(['apply', '--server-side', '-f', join(REPO_ROOT, 'deploy', 'crds')]);
  cluster.kubectl(['wait', '--for', 'condition=Established', '--timeout', '60s', 'crd', '--all']);
});
after(async () => { await cluster?.close(); });

/** kubectl's table as rows of columns split on runs of 2+ spaces. */
function table(text: string): string[][] {
  return text.trimEnd().split('\n').map((line) => line.trim().split(/\s{2,}/));
}

test('the seed manifests apply verbatim and are stored as written', () => {
  for (const file of ['mySecret.yaml', 'dataset.yaml', 'dataload.yaml', 'dataload-advanced.yaml', 'app.yaml']) {
    const r = cluster.kubectl(['apply', '-f', join(seedDir(), file)]);
    assert.match(r.stdout, /(created|configured)/, `${file}: ${r.stdout}`);
  }
  const dataset = JSON.parse(cluster.kubectl(['get', 'dataset', 'demo', '-o', 'json']).stdout);
  assert.equal(dataset.spec.mounts[0].mountPoint, 'oss://<bucket-name>/<path>');
  assert.equal(dataset.spec.mounts[0].encryptOptions[1].valueFrom.secretKeyRef.key, 'fs.oss.accessKeySecret');
  assert.deepEqual(dataset.spec.accessModes, ['ReadOnlyMany']);
  const runtime = JSON.parse(cluster.kubectl(['get', 'jindoruntime', 'demo', '-o', 'json']).stdout);
  assert.deepEqual(runtime.spec.tieredstore.levels[0], { mediumtype: 'MEM', path: '/dev/shm', quota: '2Gi', high: '0.99', low: '0.8' });
  assert.deepEqual(runtime.spec.fuse.args, ['-okernel_cache', '-oro', '-oattr_timeout=60', '-oentry_timeout=60', '-onegative_timeout=60']);
  const load = JSON.parse(cluster.kubectl(['get', 'dataload', 'cron-dataload', '-o', 'json']).stdout);
  // dataload-advanced.yaml was applied last over dataload.yaml (same name): its fields won.
  assert.equal(load.spec.schedule, '* * * * *');
  assert.equal(load.spec.loadMetadata, true);
  assert.deepEqual(load.spec.target, [{ path: '<path1>', replicas: 1 }, { path: '<path2>', replicas: 2 }]);
  assert.equal(cluster.kubectl(['get', 'pod', 'nginx', '-o', 'jsonpath={.spec.volumes[0].persistentVolumeClaim.claimName}']).stdout, 'demo');
});

test('what Eddy refuses, the API server refuses (server-side validation)', () => {
  const dataset = readSeed('dataset.yaml').split('---')[0]!;
  const cases: Array<[string, string, RegExp]> = [
    ['unknown field', dataset.replace('  accessModes:', '  replicas: 3\n  accessModes:'), /unknown field "spec.replicas"/],
    ['bad access mode', dataset.replace('ReadOnlyMany', 'ReadWriteOnce'), /spec.accessModes\[0\]: Unsupported value: "ReadWriteOnce"/],
    ['no mounts', 'apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata: {name: x}\nspec: {mounts: []}\n', /spec.mounts: Invalid value: 0/],
    ['unknown scheme', dataset.replace('oss://', 'ftp://'), /spec.mounts\[0\].mountPoint/],
    ['option twice', dataset.replace('fs.oss.endpoint: <oss-endpoint>', 'fs.oss.endpoint: <oss-endpoint>\n        fs.oss.accessKeyId: plain'),
      /set both in options and in encryptOptions/],
    ['encryptOption twice', dataset.replace('- name: fs.oss.accessKeySecret', '- name: fs.oss.accessKeyId'), /Duplicate value/],
    ['medium', readSeed('dataset.yaml').split('---')[1]!.replace('mediumtype: MEM', 'mediumtype: RAM'), /mediumtype: Unsupported value: "RAM"/],
    ['cron without schedule', readSeed('dataload.yaml').replace(/ *schedule:.*\n/, ''), /schedule is required with policy: Cron/],
    ['replicas 0', readSeed('dataload-advanced.yaml').replace('replicas: 1', 'replicas: 0'), /target\[0\].replicas: Invalid value: 0/],
  ];
  for (const [what, yaml, expected] of cases) {
    const r = cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], { stdin: yaml, allowFail: true });
    assert.notEqual(r.code, 0, `${what}: accepted`);
    assert.match(r.stderr, expected, what);
  }
});

test('kubectl get dataset and dataload print the seed\'s columns from the status subresource', () => {
  cluster.kubectl(['apply', '-f', join(seedDir(), 'dataset.yaml')]);
  cluster.kubectl(['apply', '-f', join(seedDir(), 'dataload.yaml')]);
  const before = table(cluster.kubectl(['get', 'dataset']).stdout);
  assert.deepEqual(before[0], ['NAME', 'UFS TOTAL SIZE', 'CACHED', 'CACHE CAPACITY', 'CACHED PERCENTAGE', 'PHASE', 'AGE']);
  const status = {
    status: {
      phase: 'Bound', ufsTotal: '588.90KiB', ufsTotalBytes: 603_030,
      cacheStates: { cached: '0.00B', cachedBytes: 0, cacheCapacity: '10.00GiB', cacheCapacityBytes: 10 * 2 ** 30, cachedPercentage: '0.0%' },
    },
  };
  cluster.kubectl(['patch', 'dataset', 'demo', '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
  const rows = table(cluster.kubectl(['get', 'dataset']).stdout);
  assert.deepEqual(rows[1]!.slice(0, 6), ['demo', '588.90KiB', '0.00B', '10.00GiB', '0.0%', 'Bound']);
  // The main resource ignores status: a spec update cannot overwrite what the operator mirrored.
  cluster.kubectl(['patch', 'dataset', 'demo', '--type=merge', '-p', '{"status":{"phase":"Failed"}}']);
  assert.equal(cluster.kubectl(['get', 'dataset', 'demo', '-o', 'jsonpath={.status.phase}']).stdout, 'Bound');

  assert.deepEqual(table(cluster.kubectl(['get', 'dataload']).stdout)[0], ['NAME', 'DATASET', 'PHASE', 'AGE', 'DURATION']);
  cluster.kubectl(['patch', 'dataload', 'cron-dataload', '--subresource=status', '--type=merge', '-p',
    JSON.stringify({ status: { phase: 'Complete', duration: '2m12s' } })]);
  const load = table(cluster.kubectl(['get', 'dataload']).stdout)[1]!;
  assert.deepEqual([load[0], load[1], load[2], load[4]], ['cron-dataload', 'demo', 'Complete', '2m12s']);
});

test('the runtime kinds share one schema: AlluxioRuntime and EddyRuntime accept the seed\'s runtime', () => {
  const runtime = readSeed('dataset.yaml').split('---')[1]!;
  cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], { stdin: runtime.replace('kind: JindoRuntime', 'kind: AlluxioRuntime') });
  cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], {
    stdin: runtime.replace('apiVersion: data.fluid.io/v1alpha1', 'apiVersion: data.eddy.dev/v1alpha1').replace('kind: JindoRuntime', 'kind: EddyRuntime'),
  });
});

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ManifestError } from '../src/manifest-error.js';
import { ValidationError } from '@eddy/core';
import { parseManifests } from '../src/parse-manifests.js';
import { validateManifestSet } from '../src/validate-manifest-set.js';
import { type DataLoadManifest, type DatasetManifest, type RuntimeManifest, type SecretManifest } from '../src/manifest-types.js';
import { findSeedDir } from './manifest-seed-dir.js';

const seedDir = findSeedDir();
const seed = (f: string): string => readFileSync(join(seedDir, f), 'utf8');
const SECRET = seed('mySecret.yaml');
const DATASET = seed('dataset.yaml');
const DATALOAD = seed('dataload.yaml');
const ADVANCED = seed('dataload-advanced.yaml');

/** Assert `text` fails with a ValidationError naming document `doc` and `field`; returns the message. */
function invalid(text: string, doc: number, field: string, ...fragments: (string | RegExp)[]): string {
  let caught: unknown;
  try {
    parseManifests(text);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ValidationError, `expected a ValidationError, got ${String(caught)}`);
  const msg = caught.message;
  assert.match(msg, new RegExp(`document ${doc}\\b`), msg);
  assert.ok(msg.includes(`: ${field}: `) || (field === '' && msg.startsWith(`document ${doc}`)), `message should name field ${field}: ${msg}`);
  for (const f of fragments) {
    if (typeof f === 'string') assert.ok(msg.includes(f), `message should include ${f}: ${msg}`);
    else assert.match(msg, f);
  }
  return msg;
}

function replaceOnce(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `fixture lacks ${from}`);
  return text.replace(from, to);
}

describe('seed manifests', () => {
  test('every seed YAML except app.yaml parses unchanged', () => {
    const files = readdirSync(seedDir).filter((f) => f.endsWith('.yaml') && f !== 'app.yaml');
    assert.ok(files.length >= 4, `found ${files.join(',')}`);
    for (const f of files) {
      const ms = parseManifests(seed(f));
      assert.ok(ms.length >= 1, f);
    }
  });

  test('mySecret.yaml → SecretManifest with its keys', () => {
    const [s] = parseManifests(SECRET) as [SecretManifest];
    assert.equal(s.kind, 'Secret');
    assert.equal(s.metadata.name, 'mysecret');
    assert.equal(s.metadata.namespace, 'default');
    assert.deepEqual(Object.keys(s.values).sort(), ['fs.oss.accessKeyId', 'fs.oss.accessKeySecret']);
    assert.equal(s.type, 'Opaque');
  });

  test('dataset.yaml → Dataset and JindoRuntime, normalised', () => {
    const [d, r] = parseManifests(DATASET) as [DatasetManifest, RuntimeManifest];
    assert.equal(d.kind, 'Dataset');
    assert.equal(d.spec.accessMode, 'ReadOnlyMany');
    assert.deepEqual(d.spec.mounts, [{
      mountPoint: 'oss://<bucket-name>/<path>',
      name: 'hbase',
      path: '/',
      options: { 'fs.oss.endpoint': '<oss-endpoint>' },
      encryptOptions: [
        { name: 'fs.oss.accessKeyId', valueFrom: { secretKeyRef: { name: 'mysecret', key: 'fs.oss.accessKeyId' } } },
        { name: 'fs.oss.accessKeySecret', valueFrom: { secretKeyRef: { name: 'mysecret', key: 'fs.oss.accessKeySecret' } } },
      ],
    }]);
    assert.equal(r.kind, 'JindoRuntime');
    assert.equal(r.spec.replicas, 1);
    assert.deepEqual(r.spec.tieredstore.levels, [{ mediumtype: 'MEM', path: '/dev/shm', quota: 2 * 1024 ** 3, high: 0.99, low: 0.8 }]);
    assert.deepEqual(r.spec.fuse.args, ['-okernel_cache', '-oro', '-oattr_timeout=60', '-oentry_timeout=60', '-onegative_timeout=60']);
    assert.equal(r.spec.blockSize, 16 * 1024 * 1024);
  });

  test('dataload.yaml and dataload-advanced.yaml → DataLoad with defaults filled', () => {
    const [a] = parseManifests(DATALOAD) as [DataLoadManifest];
    assert.deepEqual(a.spec, {
      dataset: { name: 'demo', namespace: 'default' }, policy: 'Cron', schedule: '*/2 * * * *',
      loadMetadata: false, target: [{ path: '/', replicas: 1 }],
    });
    const [b] = parseManifests(ADVANCED) as [DataLoadManifest];
    assert.equal(b.spec.loadMetadata, true);
    assert.equal(b.spec.schedule, '* * * * *');
    // `<path1>` is a template placeholder: kept, made absolute.
    assert.deepEqual(b.spec.target, [{ path: '/<path1>', replicas: 1 }, { path: '/<path2>', replicas: 2 }]);
  });

  test('the whole walkthrough in one file parses, and secret refs resolve', () => {
    const all = [SECRET, DATASET, DATALOAD].join('\n---\n');
    const ms = parseManifests(all);
    assert.deepEqual(ms.map((m) => m.kind), ['Secret', 'Dataset', 'JindoRuntime', 'DataLoad']);
    validateManifestSet(ms, []);
  });

  test('app.yaml (a Pod) is rejected, pointing at eddy mount', () => {
    invalid(seed('app.yaml'), 1, 'kind', 'unsupported kind Pod', 'eddy mount');
  });
});

describe('invalid manifests name the document and the field', () => {
  test('unknown kind and unknown apiVersion', () => {
    invalid('apiVersion: v1\nkind: Secret\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n', 2, 'kind', 'unsupported kind "ConfigMap"');
    invalid(replaceOnce(DATASET, 'apiVersion: data.fluid.io/v1alpha1\nkind: JindoRuntime', 'apiVersion: data.fluid.io/v1beta1\nkind: JindoRuntime'), 2, 'apiVersion', 'data.fluid.io/v1alpha1');
  });

  test('quota "lots" gives the exact message', () => {
    const msg = invalid(replaceOnce(DATASET, 'quota: 2Gi', 'quota: lots'), 2, 'spec.tieredstore.levels[0].quota');
    assert.equal(msg, 'document 2 (JindoRuntime demo): spec.tieredstore.levels[0].quota: "lots" is not a Kubernetes quantity (e.g. 2Gi, 500Mi)');
  });

  test('high below low', () => {
    invalid(replaceOnce(DATASET, 'high: "0.99"', 'high: "0.5"'), 2, 'spec.tieredstore.levels[0].high', 'below low 0.8');
  });

  test('watermark out of range or not a number', () => {
    invalid(replaceOnce(DATASET, 'low: "0.8"', 'low: "1.5"'), 2, 'spec.tieredstore.levels[0].low', '(0, 1]');
    invalid(replaceOnce(DATASET, 'low: "0.8"', 'low: "eighty"'), 2, 'spec.tieredstore.levels[0].low', 'not a ratio');
  });

  test('unknown mediumtype', () => {
    invalid(replaceOnce(DATASET, 'mediumtype: MEM', 'mediumtype: NVME'), 2, 'spec.tieredstore.levels[0].mediumtype', 'MEM, SSD, HDD', '"NVME"');
  });

  test('bad cron names the schedule field and the cron field', () => {
    invalid(replaceOnce(DATALOAD, '*/2 * * * *', '61 * * * *'), 1, 'spec.schedule', 'minute field', '0-59');
    invalid(replaceOnce(DATALOAD, '*/2 * * * *', '* * *'), 1, 'spec.schedule', '3 fields');
  });

  test('Cron without schedule, Once with schedule', () => {
    invalid(replaceOnce(DATALOAD, '  schedule: "*/2 * * * *" # Run every 2 min\n', ''), 1, 'spec.schedule', 'required with policy: Cron');
    invalid(replaceOnce(DATALOAD, 'policy: Cron', 'policy: Once'), 1, 'spec.schedule', 'only used with policy: Cron');
    invalid(replaceOnce(DATALOAD, 'policy: Cron', 'policy: OnEvent'), 1, 'spec.policy', 'Once, Cron');
  });

  test('replicas 0 in a runtime and in a target', () => {
    invalid(replaceOnce(DATASET, 'replicas: 1', 'replicas: 0'), 2, 'spec.replicas', 'at least 1');
    invalid(replaceOnce(ADVANCED, 'replicas: 2', 'replicas: 0'), 1, 'spec.target[1].replicas', 'at least 1');
  });

  test('secretKeyRef to a missing key of a Secret in the same file', () => {
    const text = `${SECRET}---\n${replaceOnce(DATASET, 'key: fs.oss.accessKeySecret', 'key: fs.oss.secret')}`;
    invalid(text, 2, 'spec.mounts[0].encryptOptions[1].valueFrom.secretKeyRef.key', 'has no key "fs.oss.secret"');
  });

  test('secretKeyRef to a missing Secret or key, with existing secrets given', () => {
    const ms = parseManifests(DATASET);
    assert.throws(() => validateManifestSet(ms, []), (err: unknown) => {
      assert.ok(err instanceof ManifestError);
      assert.match(err.message, /^document 1 \(Dataset demo\): spec\.mounts\[0\]\.encryptOptions\[0\]\.valueFrom\.secretKeyRef\.name: Secret "mysecret" does not exist/);
      assert.equal(err.issues.length, 2);
      return true;
    });
    assert.throws(() => validateManifestSet(ms, [{ name: 'mysecret', keys: ['fs.oss.accessKeyId'] }]),
      /document 1 \(Dataset demo\): spec\.mounts\[0\]\.encryptOptions\[1\]\.valueFrom\.secretKeyRef\.key: Secret "mysecret" \(existing\) has no key "fs.oss.accessKeySecret"/);
    validateManifestSet(ms, [{ name: 'mysecret', keys: ['fs.oss.accessKeyId', 'fs.oss.accessKeySecret'] }]);
    validateManifestSet(ms, parseManifests(SECRET) as SecretManifest[]);
    // A Secret in another namespace does not count.
    assert.throws(() => validateManifestSet(ms, [{ name: 'mysecret', namespace: 'other', keys: ['fs.oss.accessKeyId', 'fs.oss.accessKeySecret'] }]), /does not exist/);
  });

  test('duplicate names of one kind, and two runtimes for one dataset', () => {
    invalid(`${SECRET}---\n${SECRET}`, 2, 'metadata.name', 'duplicate Secret "mysecret" (also document 1)');
    invalid(`${DATALOAD}---\n${ADVANCED}`, 2, 'metadata.name', 'duplicate DataLoad');
    const alluxio = DATASET.split('---')[1]?.replace('JindoRuntime', 'AlluxioRuntime') ?? '';
    invalid(`${DATASET}---\n${alluxio}`, 3, 'metadata.name', 'one runtime');
    // The same name in two namespaces is fine.
    parseManifests(`${SECRET}---\n${replaceOnce(SECRET, 'name: mysecret', 'name: mysecret\n  namespace: team-b')}`);
  });

  test('missing required fields', () => {
    invalid(replaceOnce(DATASET, '  name: demo\nspec:\n  mounts', 'spec:\n  mounts'), 1, 'metadata', 'required');
    invalid(replaceOnce(DATASET, '    - mountPoint: oss://<bucket-name>/<path>\n      options', '    - options'), 1, 'spec.mounts[0].mountPoint', 'is required');
    invalid(replaceOnce(DATASET, '        quota: 2Gi\n', ''), 2, 'spec.tieredstore.levels[0].quota', 'is required');
    invalid(replaceOnce(DATALOAD, '    name: demo\n', ''), 1, 'spec.dataset.name', 'is required');
    invalid('apiVersion: data.fluid.io/v1alpha1\nkind: JindoRuntime\nmetadata: {name: x}\nspec: {replicas: 1}\n', 1, 'spec.tieredstore', 'is required');
    invalid('apiVersion: v1\nmetadata: {name: x}\n', 1, 'kind', 'is required');
  });

  test('unknown fields are refused', () => {
    invalid(replaceOnce(DATASET, 'replicas: 1', 'replica: 1'), 2, 'spec.replica', 'unknown field');
  });

  test('dataset paths with .., NUL or control characters; relative target paths', () => {
    invalid(replaceOnce(DATASET, 'path: "/"', 'path: "/a/../../etc"'), 1, 'spec.mounts[0].path', '".."');
    invalid(replaceOnce(DATASET, 'path: "/"', 'path: "/a\\0b"'), 1, 'spec.mounts[0].path', 'control character');
    invalid(replaceOnce(DATASET, 'path: "/"', 'path: "/a\\nb"'), 1, 'spec.mounts[0].path', 'control character');
    invalid(replaceOnce(ADVANCED, 'path: <path1>', 'path: models/llama'), 1, 'spec.target[0].path', 'not absolute', 'write /models/llama');
    invalid(replaceOnce(ADVANCED, 'path: <path2>', 'path: /models/../..'), 1, 'spec.target[1].path', '".."');
    invalid(replaceOnce(DATASET, 'path: /dev/shm', 'path: dev/shm'), 2, 'spec.tieredstore.levels[0].path', 'not absolute');
  });

  test('mount points: unsupported scheme, missing bucket', () => {
    invalid(replaceOnce(DATASET, 'oss://<bucket-name>/<path>', 'hdfs://nn/x'), 1, 'spec.mounts[0].mountPoint', 'unsupported scheme');
    invalid(replaceOnce(DATASET, 'oss://<bucket-name>/<path>', 's3:///x'), 1, 'spec.mounts[0].mountPoint', 'no bucket');
    const [d] = parseManifests(replaceOnce(DATASET, 'oss://<bucket-name>/<path>', 'local:///srv//data/')) as [DatasetManifest];
    assert.equal(d.spec.mounts[0]?.mountPoint, 'file:///srv/data');
  });

  test('fuse args: unknown option named; rw refused for a ReadOnlyMany dataset', () => {
    invalid(replaceOnce(DATASET, '- -oro', '- -oro,turbo'), 2, 'spec.fuse.args[1]', 'unknown fuse option "turbo"');
    invalid(replaceOnce(DATASET, '- -oro', '- -orw'), 2, 'spec.fuse.args[1]', 'ReadWriteMany');
    const rw = replaceOnce(replaceOnce(DATASET, '- ReadOnlyMany', '- ReadWriteMany'), '- -oro', '- -orw');
    const [d] = parseManifests(rw) as [DatasetManifest];
    assert.equal(d.spec.accessMode, 'ReadWriteMany');
  });

  test('several problems are all reported, first one in .field', () => {
    const text = replaceOnce(replaceOnce(DATASET, 'quota: 2Gi', 'quota: lots'), 'replicas: 1', 'replicas: 0');
    assert.throws(() => parseManifests(text), (err: unknown) => {
      assert.ok(err instanceof ManifestError);
      assert.equal(err.issues.length, 2);
      assert.equal(err.code, 'INVALID_ARGUMENT');
      assert.equal(err.name, 'ValidationError');
      assert.ok(err.field?.startsWith('documents[1].spec.'));
      assert.equal(err.message.split('\n').length, 2);
      return true;
    });
  });

  test('YAML syntax errors name the document and position', () => {
    invalid(`${SECRET}---\nkind: [unclosed\n`, 2, '', 'YAML syntax error');
  });
});

describe('secrets never appear in errors', () => {
  const VALUE = 'Sup3rS3cretValue';
  const cases: [string, string][] = [
    ['unterminated quote', `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  k: "${VALUE}\n`],
    ['value is a list', `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  k: [${VALUE}]\n`],
    ['value is a map', `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  k: {${VALUE}: 1}\n`],
    ['bad base64', `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  k: "${VALUE}!"\n`],
    ['bad indentation', `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  k: ${VALUE}\n bad: ${VALUE}\n`],
    ['duplicate key', `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  k: ${VALUE}\n  k: ${VALUE}\n`],
    ['unknown field', `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringdata:\n  k: ${VALUE}\n`],
    ['wrong apiVersion', `apiVersion: v2\nkind: Secret\nmetadata: {name: s}\nstringData:\n  k: ${VALUE}\n`],
    ['missing key in ref', `apiVersion: v1\nkind: Secret\nmetadata: {name: mysecret}\nstringData:\n  k: ${VALUE}\n---\n${DATASET}`],
  ];
  for (const [name, text] of cases) {
    test(name, () => {
      assert.throws(() => parseManifests(text), (err: unknown) => {
        assert.ok(err instanceof ValidationError);
        assert.ok(!err.message.includes(VALUE) && !err.message.includes('Sup3r'), `leaked: ${err.message}`);
        assert.ok(!JSON.stringify(err).includes(VALUE), 'leaked through a property');
        return true;
      });
    });
  }

  test('base64 data decodes and stringData wins', () => {
    const text = `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  a: ${Buffer.from('alpha').toString('base64')}\n  b: ${Buffer.from('beta').toString('base64')}\nstringData:\n  b: override\n`;
    const [s] = parseManifests(text) as [SecretManifest];
    assert.deepEqual(s.values, { a: 'alpha', b: 'override' });
  });
});

describe('Dataset details', () => {
  test('accessModes default and ReadWriteMany; several mounts get /<name> paths', () => {
    const text = `apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: multi}
spec:
  accessModes: [ReadWriteMany]
  mounts:
    - {mountPoint: "s3://models/llama", name: llama}
    - {mountPoint: "file:///srv/data", name: local, path: /x/y/}
`;
    const [d] = parseManifests(text) as [DatasetManifest];
    assert.equal(d.spec.accessMode, 'ReadWriteMany');
    assert.deepEqual(d.spec.mounts.map((m) => m.path), ['/llama', '/x/y']);
    invalid(text.replace(', name: llama', ''), 1, 'spec.mounts[0].name', 'several mounts');
    invalid(text.replace('path: /x/y/', 'path: /llama/sub'), 1, 'spec.mounts[1].path', 'overlaps mounts[0]');
    invalid(text.replace('[ReadWriteMany]', '[ReadWriteOnce]'), 1, 'spec.accessModes[0]', 'ReadOnlyMany, ReadWriteMany');
  });

  test('numeric option values become strings; option set twice is refused', () => {
    const t = replaceOnce(DATASET, 'fs.oss.endpoint: <oss-endpoint>', 'fs.oss.endpoint: <oss-endpoint>\n        fs.oss.port: 9000');
    const [d] = parseManifests(t) as [DatasetManifest];
    assert.equal(d.spec.mounts[0]?.options['fs.oss.port'], '9000');
    const twice = replaceOnce(DATASET, 'fs.oss.endpoint: <oss-endpoint>', 'fs.oss.endpoint: <oss-endpoint>\n        fs.oss.accessKeyId: plain');
    invalid(twice, 1, 'spec.mounts[0].encryptOptions[0].name', 'also set in options');
  });
});

describe('Runtime details', () => {
  test('AlluxioRuntime has the same shape; levels sorted fastest first; blockSize extra', () => {
    const text = `apiVersion: data.fluid.io/v1alpha1
kind: AlluxioRuntime
metadata: {name: demo}
spec:
  replicas: 3
  blockSize: 4Mi
  tieredstore:
    levels:
      - {mediumtype: HDD, path: /mnt/hdd, quota: 1Ti}
      - {mediumtype: MEM, path: /dev/shm/eddy, quota: 1.5Gi, high: 0.9, low: 0.5}
      - {mediumtype: SSD, path: /mnt/ssd, quota: 100G, high: "1", low: ".75"}
`;
    const [r] = parseManifests(text) as [RuntimeManifest];
    assert.equal(r.kind, 'AlluxioRuntime');
    assert.equal(r.spec.replicas, 3);
    assert.equal(r.spec.blockSize, 4 * 1024 * 1024);
    assert.deepEqual(r.spec.fuse.args, []);
    assert.deepEqual(r.spec.tieredstore.levels, [
      { mediumtype: 'MEM', path: '/dev/shm/eddy', quota: 1.5 * 1024 ** 3, high: 0.9, low: 0.5 },
      { mediumtype: 'SSD', path: '/mnt/ssd', quota: 100e9, high: 1, low: 0.75 },
      { mediumtype: 'HDD', path: '/mnt/hdd', quota: 1024 ** 4, high: 0.95, low: 0.7 },
    ]);
    invalid(text.replace('mediumtype: SSD', 'mediumtype: MEM'), 1, 'spec.tieredstore.levels[2].mediumtype', 'one level per medium type');
    invalid(text.replace('blockSize: 4Mi', 'blockSize: 1Ki'), 1, 'spec.blockSize', '64Ki..1Gi');
    invalid(text.replace('quota: 1Ti', 'quota: 100m'), 1, 'spec.tieredstore.levels[0].quota', 'milli');
    invalid(text.replace('quota: 1Ti', 'quota: 0'), 1, 'spec.tieredstore.levels[0].quota', 'zero');
  });
});

describe('DataLoad details', () => {
  test('Once defaults, ttlSecondsAfterFinished, namespace inherited', () => {
    const text = 'apiVersion: data.fluid.io/v1alpha1\nkind: DataLoad\nmetadata: {name: warm, namespace: team-a}\nspec:\n  dataset: {name: demo}\n  ttlSecondsAfterFinished: 300\n';
    const [l] = parseManifests(text) as [DataLoadManifest];
    assert.deepEqual(l.spec, { dataset: { name: 'demo', namespace: 'team-a' }, policy: 'Once', loadMetadata: false, target: [{ path: '/', replicas: 1 }], ttlSecondsAfterFinished: 300 });
    invalid(text.replace('300', '-1'), 1, 'spec.ttlSecondsAfterFinished', 'at least 0');
    invalid(text.replace('  ttlSecondsAfterFinished: 300\n', '  policy: Cron\n  schedule: "@hourly"\n  ttlSecondsAfterFinished: 300\n'), 1, 'spec.ttlSecondsAfterFinished', 'Once only');
  });

  test('the seed % form is normalised', () => {
    const [l] = parseManifests(replaceOnce(DATALOAD, '*/2 * * * *', '*%10 * * * *')) as [DataLoadManifest];
    assert.equal(l.spec.schedule, '*/10 * * * *');
  });

  test('empty documents and comments are skipped but counted', () => {
    const ms = parseManifests(`# header\n---\n${SECRET}---\n---\n# only a comment\n`);
    assert.equal(ms.length, 1);
    invalid(`---\n# nothing\n---\n${replaceOnce(DATALOAD, 'policy: Cron', 'policy: Sometimes')}`, 2, 'spec.policy');
    assert.deepEqual(parseManifests(''), []);
  });
});

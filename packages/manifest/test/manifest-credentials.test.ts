// A credential belongs in a Secret (encryptOptions), never in a Dataset's plain options, which
// `get` shows and the journal stores in the manifest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '@eddy/core';
import { parseManifests } from '../src/parse-manifests.js';

const dataset = (options: Record<string, string>): string => `apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: d}
spec:
  mounts:
    - mountPoint: s3://b/p
      options: ${JSON.stringify(options)}
`;

test('a secret in plain options is refused with an error naming encryptOptions', () => {
  for (const name of ['fs.s3.accessKeySecret', 'fs.oss.accessKeySecret', 'fs.oss.securityToken', 'fs.s3.sessionToken', 'fs.x.password']) {
    assert.throws(() => parseManifests(dataset({ 'fs.s3.endpoint': 'http://s3', [name]: 'hunter2' })),
      (e: Error) => e instanceof ValidationError && e.message.includes('encryptOptions') && e.message.includes(name) && !e.message.includes('hunter2'),
      name);
  }
});

test('non-secret options stay allowed in plain options', () => {
  const [d] = parseManifests(dataset({ 'fs.s3.endpoint': 'http://s3', 'fs.s3.region': 'us-east-1', 'fs.s3.pathStyleAccess': 'true', 'fs.s3.accessKeyId': 'AKIA' }));
  assert.equal(d?.kind, 'Dataset');
});

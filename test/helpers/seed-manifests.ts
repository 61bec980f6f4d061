// The seed's manifests (../shared/seed next to the repository, EDDY_SEED_DIR, or the verbatim
// copy in test/fixtures/seed), and the one rewrite the end-to-end tests make: the Dataset's OSS
// mount becomes an s3:// mount of the test server, with the credentials still coming from the
// Secret `mysecret` through encryptOptions.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parseDocument } from 'yaml';
import { REPO_ROOT } from '@eddy/test-cluster';

export function seedDir(): string {
  const candidates = [process.env.EDDY_SEED_DIR, join(REPO_ROOT, '..', 'shared', 'seed'), join(REPO_ROOT, 'test', 'fixtures', 'seed')];
  for (const c of candidates) if (c && existsSync(join(c, 'dataset.yaml'))) return c;
  throw new Error(`seed manifests not found (tried ${candidates.filter(Boolean).join(', ')})`);
}

export function readSeed(name: string): string {
  return readFileSync(join(seedDir(), name), 'utf8');
}

export interface S3Target {
  bucket: string;
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
}

/** mySecret.yaml with the S3 credentials under `fs.s3.*` keys. */
export function seedSecretForS3(s3: S3Target): string {
  const doc = parseDocument(readSeed('mySecret.yaml'));
  doc.set('stringData', { 'fs.s3.accessKeyId': s3.accessKey, 'fs.s3.accessKeySecret': s3.secretKey });
  return doc.toString();
}

/** dataset.yaml with the mount pointed at `s3://bucket/`; the Runtime document is untouched. */
export function seedDatasetForS3(s3: S3Target): string {
  const docs = parseAllDocuments(readSeed('dataset.yaml'));
  if (!Array.isArray(docs)) throw new Error('dataset.yaml did not parse');
  for (const doc of docs) {
    if (doc.get('kind') !== 'Dataset') continue;
    doc.setIn(['spec', 'mounts', 0, 'mountPoint'], `s3://${s3.bucket}/`);
    doc.setIn(['spec', 'mounts', 0, 'options'], { 'fs.s3.endpoint': s3.endpoint, 'fs.s3.region': s3.region, 'fs.s3.pathStyleAccess': 'true' });
    doc.setIn(['spec', 'mounts', 0, 'encryptOptions'], ['fs.s3.accessKeyId', 'fs.s3.accessKeySecret'].map((key) => ({
      name: key, valueFrom: { secretKeyRef: { name: 'mysecret', key } },
    })));
  }
  return docs.map((d) => d.toString()).join('');
}

/** dataload.yaml with a seconds schedule (6 fields) so a test sees several ticks. */
export function seedDataLoadEvery(seconds: number): string {
  const doc = parseDocument(readSeed('dataload.yaml'));
  doc.setIn(['spec', 'schedule'], `*/${seconds} * * * * *`);
  return doc.toString();
}

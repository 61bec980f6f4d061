// The Secret + Dataset (an s3:// mount of a test S3 server) + JindoRuntime that tests and
// benchmarks apply to a cluster, and the Once DataLoad they warm it with: one template each
// instead of a copy per suite.
import type { S3Endpoint } from './s3-server.js';

export interface S3DatasetManifestOptions {
  /** Dataset and Runtime name. Default `models`. */
  dataset?: string;
  replicas?: number;
  /** Kubernetes quantity. Default `1Mi`. */
  blockSize?: string;
  /** MEM tier quota under /dev/shm. Default `256Mi`. */
  quota?: string;
  /** The Runtime's fuse.args; omitted = Fluid's defaults for a ReadOnlyMany dataset. */
  fuseArgs?: string[];
}

export function s3DatasetManifests(
  bucket: string,
  s3: Pick<S3Endpoint, 'endpoint' | 'region' | 'accessKey' | 'secretKey'>,
  o: S3DatasetManifestOptions = {},
): string {
  const name = o.dataset ?? 'models';
  // Values that come from outside (credentials, args) are quoted: YAML must not read them.
  const q = (v: string): string => JSON.stringify(v);
  const fuse = o.fuseArgs ? `  fuse:\n    args: [${o.fuseArgs.map(q).join(', ')}]\n` : '';
  return `apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData:
  fs.s3.accessKeyId: ${q(s3.accessKey)}
  fs.s3.accessKeySecret: ${q(s3.secretKey)}
---
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: ${name}}
spec:
  mounts:
    - mountPoint: s3://${bucket}/
      options: {fs.s3.endpoint: "${s3.endpoint}", fs.s3.region: ${s3.region}, fs.s3.pathStyleAccess: "true"}
      encryptOptions:
        - {name: fs.s3.accessKeyId, valueFrom: {secretKeyRef: {name: creds, key: fs.s3.accessKeyId}}}
        - {name: fs.s3.accessKeySecret, valueFrom: {secretKeyRef: {name: creds, key: fs.s3.accessKeySecret}}}
  accessModes: [ReadOnlyMany]
---
apiVersion: data.fluid.io/v1alpha1
kind: JindoRuntime
metadata: {name: ${name}}
spec:
  replicas: ${o.replicas ?? 1}
  blockSize: ${o.blockSize ?? '1Mi'}
  tieredstore:
    levels:
      - {mediumtype: MEM, path: /dev/shm, quota: ${q(o.quota ?? '256Mi')}, high: "0.99", low: "0.8"}
${fuse}`;
}

/** A Once DataLoad of `targets` in `dataset`, each with `replicas`; `loadMetadata` re-lists the bucket first. */
export function onceDataLoadManifest(name: string, dataset: string, targets: string[], o: { replicas?: number; loadMetadata?: boolean } = {}): string {
  return `apiVersion: data.fluid.io/v1alpha1
kind: DataLoad
metadata: {name: ${name}}
spec:
  dataset: {name: ${dataset}, namespace: default}
  policy: Once
${o.loadMetadata ? '  loadMetadata: true\n' : ''}  target:
${targets.map((t) => `    - {path: ${JSON.stringify(t)}, replicas: ${o.replicas ?? 1}}`).join('\n')}
`;
}

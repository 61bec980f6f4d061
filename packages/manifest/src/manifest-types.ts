// The typed, normalised manifests Eddy accepts (Fluid's data.fluid.io/v1alpha1 kinds plus v1
// Secret). parseManifests produces these; every other component consumes only these types.
import type { AccessMode } from './fuse-options.js';

export const FLUID_API_VERSION = 'data.fluid.io/v1alpha1';
export type FluidApiVersion = typeof FLUID_API_VERSION;

export interface ObjectMeta {
  name: string;
  /** Default "default", as in Kubernetes. */
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * A v1 Secret. `values` holds the decoded values (`stringData` as given, `data` base64-decoded
 * as UTF-8; stringData wins for a key in both, as in Kubernetes). Never log or print `values`.
 */
export interface SecretManifest {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ObjectMeta;
  type: string;
  values: Record<string, string>;
}

export interface SecretKeyRef { name: string; key: string }
export interface EncryptOption { name: string; valueFrom: { secretKeyRef: SecretKeyRef } }

export interface DatasetMount {
  /** UFS URL: `s3://bucket/prefix`, `oss://bucket/prefix`, `file:///dir` (`local://` = file), `eddy://HOST:PORT/DATASET[/prefix]`. */
  mountPoint: string;
  /** Mount name; defaults to the dataset name for a single mount. */
  name: string;
  /** Where the mount appears in the dataset namespace: absolute, normalised; default "/" (one mount) or "/<name>". */
  path: string;
  /** UFS options such as `fs.oss.endpoint` (values as strings). */
  options: Record<string, string>;
  /** Options whose values come from Secrets (credentials). */
  encryptOptions: EncryptOption[];
}

export interface DatasetManifest {
  apiVersion: FluidApiVersion;
  kind: 'Dataset';
  metadata: ObjectMeta;
  spec: {
    mounts: DatasetMount[];
    /** As written (default [ReadOnlyMany]). */
    accessModes: AccessMode[];
    /** The effective mode: ReadWriteMany if listed, else ReadOnlyMany. */
    accessMode: AccessMode;
  };
}

export type MediumType = 'MEM' | 'SSD' | 'HDD';
export const MEDIUM_TYPES: readonly MediumType[] = ['MEM', 'SSD', 'HDD'];

export interface TierLevel {
  mediumtype: MediumType;
  /** Absolute directory of the tier's block files (MEM: under /dev/shm). */
  path: string;
  /** Capacity in bytes. */
  quota: number;
  /** Eviction starts when usage would pass high × quota. In (0, 1]; default 0.95. */
  high: number;
  /** Eviction stops at low × quota. In (0, 1], ≤ high; default 0.7. */
  low: number;
}

export interface RuntimeManifest {
  apiVersion: FluidApiVersion;
  kind: 'JindoRuntime' | 'AlluxioRuntime';
  metadata: ObjectMeta;
  spec: {
    /** Number of workers (≥ 1, default 1). */
    replicas: number;
    /** Tier levels sorted fastest first (MEM, SSD, HDD), at most one per medium type. */
    tieredstore: { levels: TierLevel[] };
    /** FUSE args as written; type them with parseFuseArgs(args, dataset.spec.accessMode). */
    fuse: { args: string[] };
    /** Eddy extra: block size in bytes (quantity in YAML, 64Ki..1Gi, default 16Mi). */
    blockSize: number;
  };
}

export type DataLoadPolicy = 'Once' | 'Cron';

export interface DataLoadTarget {
  /** Absolute path inside the dataset (a `<placeholder>` template value is kept as `/<placeholder>`). */
  path: string;
  /** Distinct workers that should hold each block (≥ 1, default 1). */
  replicas: number;
}

export interface DataLoadManifest {
  apiVersion: FluidApiVersion;
  kind: 'DataLoad';
  metadata: ObjectMeta;
  spec: {
    dataset: { name: string; namespace: string };
    policy: DataLoadPolicy;
    /** Normalised cron expression (see parseSchedule); present iff policy is Cron. */
    schedule?: string;
    loadMetadata: boolean;
    /** Default [{ path: "/", replicas: 1 }]. */
    target: DataLoadTarget[];
    /** Once only: seconds after finishing before the run record may be removed. */
    ttlSecondsAfterFinished?: number;
  };
}

export type Manifest = SecretManifest | DatasetManifest | RuntimeManifest | DataLoadManifest;
export type ManifestKind = Manifest['kind'];

// Turns a Dataset, its Runtime, the Secrets they name and the Dataset's DataLoads (custom resources)
// into the manifests Eddy's master takes, validating each with Eddy's own parser so the operator and
// `eddy apply` accept exactly the same things. A problem names the object and the field at fault.
// Kubernetes-only fields (fuse.nodeSelector, a level's volumeType) stay here; the master never sees them.
import {
  parseManifests, validateManifestSet,
  type DataLoadManifest, type DatasetManifest, type Manifest, type RuntimeManifest, type SecretManifest,
} from '@eddy/manifest';
import { ValidationError } from '@eddy/core';
import type { KubeObject } from '../kube/kube-api.js';

/** Something in a custom resource Eddy cannot serve, with the field to fix. */
export class SpecError extends ValidationError {
  readonly object: KubeObject;
  readonly path: string;
  readonly reason: string;
  constructor(object: KubeObject, path: string, problem: string, reason = 'InvalidSpec') {
    super(`${object.kind} ${object.metadata.name}: ${path ? `${path}: ` : ''}${problem}`, path);
    this.name = 'SpecError';
    this.object = object;
    this.path = path;
    this.reason = reason;
  }
}

export type VolumeType = 'hostPath' | 'PersistentVolumeClaim';

/** A tier as the worker Pods get it: the Runtime's level plus where its storage comes from. */
export interface TierPlan {
  medium: 'MEM' | 'SSD' | 'HDD';
  path: string;
  quotaBytes: number;
  high: number;
  low: number;
  volumeType: VolumeType;
}

export interface DesiredSpec {
  dataset: DatasetManifest;
  runtime: RuntimeManifest;
  secrets: SecretManifest[];
  /** DataLoads that validated, by their custom resource name. */
  dataLoads: Map<string, DataLoadManifest>;
  /** DataLoads that did not, with why (reported on each, the others still run). */
  badDataLoads: SpecError[];
  tiers: TierPlan[];
  fuseNodeSelector: Record<string, string>;
  /** The validated documents as written (quantities as the user wrote them), for the master. Carry Secret values. */
  documents: Array<Record<string, unknown>>;
}

interface IssueLike { path: string; problem: string }

function issuesOf(err: unknown): IssueLike[] | undefined {
  if (!(err instanceof ValidationError)) return undefined;
  const issues = (err as ValidationError & { issues?: unknown }).issues;
  if (!Array.isArray(issues)) return [{ path: err.field ?? '', problem: err.message }];
  return issues.map((i: { path?: unknown; problem?: unknown }) => ({ path: String(i.path ?? ''), problem: String(i.problem ?? '') }));
}

/** Parses one document with Eddy's schema; the first issue becomes a SpecError on `cr`. */
function parseOne<M extends Manifest>(cr: KubeObject, doc: Record<string, unknown>, accepted?: Array<Record<string, unknown>>): M {
  try {
    const [m] = parseManifests(JSON.stringify(doc));
    accepted?.push(doc);
    if (!m) throw new SpecError(cr, '', 'is empty');
    return m as M;
  } catch (err) {
    const issues = issuesOf(err);
    if (!issues) throw err;
    const first = issues[0] ?? { path: '', problem: 'is not valid' };
    throw new SpecError(cr, first.path, first.problem);
  }
}

function record(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {};
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The master holds one Dataset: every object goes into its one namespace, named as in Kubernetes. */
function masterMeta(cr: KubeObject): { name: string } {
  return { name: cr.metadata.name };
}

function runtimeDocument(runtime: KubeObject): Record<string, unknown> {
  const spec = record(runtime['spec']);
  const levels = list(record(spec['tieredstore'])['levels']).map((l) => {
    const { volumeType: _k8sOnly, ...level } = record(l);
    return level;
  });
  const { nodeSelector: _placement, ...fuse } = record(spec['fuse']);
  // The master knows JindoRuntime and AlluxioRuntime; Eddy's own kind is served as a JindoRuntime.
  const kind = runtime.kind === 'EddyRuntime' ? 'JindoRuntime' : runtime.kind;
  return {
    apiVersion: 'data.fluid.io/v1alpha1', kind, metadata: masterMeta(runtime),
    spec: { ...spec, tieredstore: { levels }, ...(spec['fuse'] !== undefined ? { fuse } : {}) },
  };
}

function tierPlans(runtime: KubeObject, parsed: RuntimeManifest): TierPlan[] {
  const written = list(record(record(runtime['spec'])['tieredstore'])['levels']).map(record);
  return parsed.spec.tieredstore.levels.map((l) => {
    const src = written.find((w) => w['mediumtype'] === l.mediumtype) ?? {};
    const volumeType: VolumeType = src['volumeType'] === 'PersistentVolumeClaim' && l.mediumtype !== 'MEM' ? 'PersistentVolumeClaim' : 'hostPath';
    return { medium: l.mediumtype, path: l.path, quotaBytes: l.quota, high: l.high, low: l.low, volumeType };
  });
}

/** The Secrets the Dataset's encryptOptions name, with only the keys they name. */
function referencedSecrets(dataset: KubeObject, parsed: DatasetManifest, secretOf: (name: string) => KubeObject | undefined,
  accepted: Array<Record<string, unknown>>): SecretManifest[] {
  const values = new Map<string, Record<string, string>>();
  parsed.spec.mounts.forEach((m, mi) => m.encryptOptions.forEach((e, ei) => {
    const ref = e.valueFrom.secretKeyRef;
    const path = `spec.mounts[${mi}].encryptOptions[${ei}].valueFrom.secretKeyRef`;
    const secret = secretOf(ref.name);
    const ns = dataset.metadata.namespace ?? 'default';
    if (!secret) throw new SpecError(dataset, `${path}.name`, `Secret "${ref.name}" does not exist in namespace "${ns}"`, 'SecretNotFound');
    const data = record(secret['data']);
    const encoded = data[ref.key];
    if (typeof encoded !== 'string') {
      throw new SpecError(dataset, `${path}.key`, `Secret "${ref.name}" has no key "${ref.key}" (its keys: ${Object.keys(data).sort().join(', ') || 'none'})`, 'SecretNotFound');
    }
    const entry = values.get(ref.name) ?? {};
    entry[ref.key] = Buffer.from(encoded, 'base64').toString('utf8');
    values.set(ref.name, entry);
  }));
  return [...values].map(([name, stringData]) => parseOne<SecretManifest>(secretOf(name)!, { apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData }, accepted));
}

export interface SpecInputs {
  dataset: KubeObject;
  runtime: KubeObject;
  dataLoads: readonly KubeObject[];
  secretOf(name: string): KubeObject | undefined;
}

/** Validates everything for one Dataset. Throws SpecError for the Dataset, Runtime or Secrets; bad DataLoads are listed. */
export function desiredSpec(input: SpecInputs): DesiredSpec {
  const { dataset: dsCr, runtime: rtCr } = input;
  const documents: Array<Record<string, unknown>> = [];
  const datasetDoc = { apiVersion: dsCr.apiVersion, kind: 'Dataset', metadata: masterMeta(dsCr), spec: dsCr['spec'] };
  const dataset = parseOne<DatasetManifest>(dsCr, datasetDoc);
  const runtimeDoc = runtimeDocument(rtCr);
  const runtime = parseOne<RuntimeManifest>(rtCr, runtimeDoc);
  const secrets = referencedSecrets(dsCr, dataset, input.secretOf, documents);
  documents.push(datasetDoc, runtimeDoc);
  try {
    validateManifestSet([...secrets, dataset, runtime]);
  } catch (err) {
    const first = issuesOf(err)?.[0];
    if (!first) throw err;
    // Cross checks between Dataset and Runtime are about the Runtime's fuse args in practice.
    throw new SpecError(/fuse/.test(first.path) ? rtCr : dsCr, first.path, first.problem);
  }
  const dataLoads = new Map<string, DataLoadManifest>();
  const badDataLoads: SpecError[] = [];
  for (const cr of input.dataLoads) {
    try {
      const spec = record(cr['spec']);
      const ref = record(spec['dataset']);
      const ns = cr.metadata.namespace ?? 'default';
      if (ref['namespace'] !== undefined && ref['namespace'] !== ns) {
        throw new SpecError(cr, 'spec.dataset.namespace', `is "${String(ref['namespace'])}"; a DataLoad must be in its Dataset's namespace ("${ns}")`);
      }
      const { namespace: _ns, ...datasetRef } = ref;
      dataLoads.set(cr.metadata.name, parseOne<DataLoadManifest>(cr, {
        apiVersion: cr.apiVersion, kind: 'DataLoad', metadata: masterMeta(cr), spec: { ...spec, dataset: datasetRef },
      }, documents));
    } catch (err) {
      if (!(err instanceof SpecError)) throw err;
      badDataLoads.push(err);
    }
  }
  const nodeSelector = record(record(record(rtCr['spec'])['fuse'])['nodeSelector']);
  return {
    dataset, runtime, secrets, dataLoads, badDataLoads, tiers: tierPlans(rtCr, runtime), documents,
    fuseNodeSelector: Object.fromEntries(Object.entries(nodeSelector).filter((e): e is [string, string] => typeof e[1] === 'string')),
  };
}

/** The documents the master is given, one JSON document each (JSON is YAML). Carries Secret values: never log. */
export function masterDocuments(spec: DesiredSpec): string {
  return spec.documents.map((d) => JSON.stringify(d)).join('\n---\n');
}

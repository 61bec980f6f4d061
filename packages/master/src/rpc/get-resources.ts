// The Get RPC's answer: stored manifests and the status the master computes for them, as typed
// proto Resources. Secret values never pass through here: a Secret becomes its key names, a
// Dataset's encrypt options keep only the Secret's name and key.
import { NotFoundError } from '@eddy/core';
import { dataLoadStatusToWire, datasetStatusToWire, type proto } from '@eddy/protocol';
import type { DataLoadManifest, DatasetManifest, Manifest, RuntimeManifest, SecretManifest } from '@eddy/manifest';
import { categoryOf, type ManifestCategory, type StoredManifest } from '../manifests/manifest-store.js';
import type { DatasetStatus } from '../status/dataset-status.js';
import type { DataLoadStatus } from '../dataload/dataload-status.js';

/** What Get reads from the master (MasterCore provides all of it). */
export interface ResourceSource {
  readonly manifests: {
    get(cat: ManifestCategory, name: string): StoredManifest | undefined;
    list(cat: ManifestCategory): StoredManifest[];
  };
  readonly registry: { liveWorkers(runtime?: string): ReadonlyArray<{ id: string; tiers: ReadonlyArray<{ quotaBytes: number }> }> };
  readonly dataloads: { statusOf(name: string): DataLoadStatus | undefined };
  datasetStatus(name: string): DatasetStatus;
}

/** Objects of a kind (one by name, or all), sorted by name; a missing named object is NotFound. */
export function getResources(source: ResourceSource, kind: string, name: string): proto.Resource[] {
  const cat = categoryOf(kind);
  const stored = name ? [source.manifests.get(cat, name)].filter((s): s is StoredManifest => s !== undefined) : source.manifests.list(cat);
  if (name && stored.length === 0) throw new NotFoundError(`${cat} ${JSON.stringify(name)} not found`);
  return stored.map((s) => toResource(source, s));
}

function objectMeta(m: Manifest['metadata'], createdMs: number): proto.ObjectMeta {
  return { name: m.name, namespace: m.namespace, labels: { ...m.labels }, annotations: { ...m.annotations }, creationTimeMs: createdMs };
}

function toResource(source: ResourceSource, s: StoredManifest): proto.Resource {
  const m: Manifest = s.manifest;
  const head = { apiVersion: m.apiVersion, kind: m.kind, metadata: objectMeta(m.metadata, s.createdMs) };
  switch (m.kind) {
    case 'Secret': return { ...head, secret: secretResource(m) };
    case 'Dataset': return { ...head, dataset: datasetResource(m, source.datasetStatus(m.metadata.name)) };
    case 'JindoRuntime':
    case 'AlluxioRuntime': return { ...head, runtime: runtimeResource(source, m) };
    case 'DataLoad': return { ...head, dataload: dataLoadResource(m, source.dataloads.statusOf(m.metadata.name)) };
  }
}

function secretResource(s: SecretManifest): proto.SecretResource {
  return { type: s.type, keys: Object.keys(s.values).sort() };
}

function datasetResource(d: DatasetManifest, st: DatasetStatus): proto.DatasetResource {
  return {
    mounts: d.spec.mounts.map((mount) => ({
      mountPoint: mount.mountPoint, name: mount.name, path: mount.path, options: { ...mount.options },
      encryptOptions: mount.encryptOptions.map((e) => ({
        name: e.name, secretName: e.valueFrom.secretKeyRef.name, secretKey: e.valueFrom.secretKeyRef.key,
      })),
    })),
    accessModes: [...d.spec.accessModes],
    accessMode: d.spec.accessMode,
    status: datasetStatusToWire(st),
  };
}

function runtimeResource(source: ResourceSource, r: RuntimeManifest): proto.RuntimeResource {
  const live = source.registry.liveWorkers(r.metadata.name);
  return {
    replicas: r.spec.replicas,
    tiers: r.spec.tieredstore.levels.map((l) => ({ medium: l.mediumtype, path: l.path, quotaBytes: l.quota, high: l.high, low: l.low })),
    fuseArgs: [...r.spec.fuse.args],
    blockSize: r.spec.blockSize,
    status: {
      desiredWorkers: r.spec.replicas,
      liveWorkers: live.length,
      workers: live.map((w) => w.id),
      cacheCapacityBytes: live.reduce((a, w) => a + w.tiers.reduce((b, t) => b + t.quotaBytes, 0), 0),
    },
  };
}

function dataLoadResource(l: DataLoadManifest, st: DataLoadStatus | undefined): proto.DataLoadResource {
  return {
    dataset: l.spec.dataset.name,
    datasetNamespace: l.spec.dataset.namespace,
    policy: l.spec.policy,
    schedule: l.spec.schedule ?? '',
    loadMetadata: l.spec.loadMetadata,
    target: l.spec.target.map((t) => ({ path: t.path, replicas: t.replicas })),
    ...(l.spec.ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished: l.spec.ttlSecondsAfterFinished } : {}),
    status: st ? dataLoadStatusToWire(st) : null,
  };
}

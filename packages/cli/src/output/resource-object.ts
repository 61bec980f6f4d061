// The Fluid-shaped object of a typed Resource, for `-o json|yaml` and `eddy describe`: the
// manifest as the master normalised it (apiVersion, kind, metadata, spec) plus its status, with
// exact byte counts beside Fluid's formatted strings and times as RFC 3339 text (the statuses
// through @eddy/protocol's status views, the master's own mapping read backwards).
import { dataLoadStatusFromWire, datasetStatusFromWire, type proto } from '@eddy/protocol/rpc';

type Json = Record<string, unknown>;

/** Unix ms → RFC 3339 (the master stores millisecond times). */
function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function metadataOf(m: proto.ObjectMeta__Output | null): Json {
  return {
    name: m?.name ?? '',
    namespace: m?.namespace ?? '',
    labels: { ...m?.labels },
    annotations: { ...m?.annotations },
    creationTimestamp: iso(m?.creationTimeMs ?? 0),
  };
}

function datasetParts(d: proto.DatasetResource__Output): Json {
  return {
    spec: {
      mounts: d.mounts.map((m) => ({
        mountPoint: m.mountPoint,
        name: m.name,
        path: m.path,
        options: { ...m.options },
        encryptOptions: m.encryptOptions.map((e) => ({
          name: e.name, valueFrom: { secretKeyRef: { name: e.secretName, key: e.secretKey } },
        })),
      })),
      accessModes: [...d.accessModes],
      accessMode: d.accessMode,
    },
    status: d.status ? datasetStatusFromWire(d.status) : null,
  };
}

function runtimeParts(r: proto.RuntimeResource__Output): Json {
  return {
    spec: {
      replicas: r.replicas,
      tieredstore: { levels: r.tiers.map((t) => ({ mediumtype: t.medium, path: t.path, quota: t.quotaBytes, high: t.high, low: t.low })) },
      fuse: { args: [...r.fuseArgs] },
      blockSize: r.blockSize,
    },
    status: r.status
      ? {
          desiredWorkers: r.status.desiredWorkers, liveWorkers: r.status.liveWorkers, workers: [...r.status.workers],
          cacheCapacityBytes: r.status.cacheCapacityBytes,
        }
      : null,
  };
}

function dataLoadParts(l: proto.DataLoadResource__Output): Json {
  return {
    spec: {
      dataset: { name: l.dataset, namespace: l.datasetNamespace },
      policy: l.policy,
      loadMetadata: l.loadMetadata,
      target: l.target.map((t) => ({ path: t.path, replicas: t.replicas })),
      ...(l.schedule ? { schedule: l.schedule } : {}),
      ...(l.ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished: l.ttlSecondsAfterFinished } : {}),
    },
    status: l.status ? dataLoadStatusFromWire(l.status) : null,
  };
}

function kindParts(r: proto.Resource__Output): Json {
  if (r.dataset) return datasetParts(r.dataset);
  if (r.runtime) return runtimeParts(r.runtime);
  if (r.dataload) return dataLoadParts(r.dataload);
  if (r.secret) return { type: r.secret.type, keys: [...r.secret.keys] };
  return {};
}

/** The object `eddy get -o json|yaml` prints for one Resource (never a secret value: none reaches Get). */
export function resourceObject(r: proto.Resource__Output): Json {
  return { apiVersion: r.apiVersion, kind: r.kind, metadata: metadataOf(r.metadata), ...kindParts(r) };
}

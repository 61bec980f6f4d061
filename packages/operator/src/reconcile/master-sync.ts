// One round with a Dataset's master: give it the manifests it should hold, remove DataLoads and
// Secrets it should no longer hold (deleted in Kubernetes: no finalizer needed, the next pass sees
// the difference), and read back the status it computes. Plus the one way statuses are written.
import type { proto } from '@eddy/protocol';
import type { KubeApi, KubeObject, ResourceType } from '../kube/kube-api.js';
import type { MasterLink } from '../master/master-link.js';
import type { DesiredSpec } from '../spec/desired-spec.js';
import { dataLoadStatus, datasetStatus } from './status-views.js';

export interface MasterFacts {
  liveWorkers: number;
  cacheCapacity: string | undefined;
  datasetStatus(ds: KubeObject, runtimeName: string, runtimeKind: string): Record<string, unknown>;
  /** undefined when the master has no status for the DataLoad (yet). */
  dataLoadStatus(dl: KubeObject): Record<string, unknown> | undefined;
}

const nameOf = (r: proto.Resource__Output): string => r.metadata?.name ?? '';

export async function syncMaster(link: MasterLink, documents: string, spec: DesiredSpec, signal?: AbortSignal): Promise<MasterFacts> {
  await link.apply(documents, signal);
  const loads = await link.list('dataload', signal);
  for (const l of loads) if (!spec.dataLoads.has(nameOf(l))) await link.delete('dataload', nameOf(l), signal);
  const wanted = new Set(spec.secrets.map((s) => s.metadata.name));
  for (const s of await link.list('secret', signal)) if (!wanted.has(nameOf(s))) await link.delete('secret', nameOf(s), signal);
  const dataset = (await link.list('dataset', signal)).find((d) => nameOf(d) === spec.dataset.metadata.name)?.dataset?.status ?? undefined;
  const runtime = (await link.list('runtime', signal)).find((r) => nameOf(r) === spec.runtime.metadata.name)?.runtime?.status ?? undefined;
  const statusOfLoad = new Map(loads.map((l) => [nameOf(l), l.dataload?.status ?? undefined]));
  return {
    liveWorkers: runtime?.liveWorkers ?? 0,
    cacheCapacity: dataset?.cacheCapacity || undefined,
    datasetStatus: (obj, name, kind) => datasetStatus(obj, dataset, name, kind),
    dataLoadStatus: (dl) => {
      const s = statusOfLoad.get(dl.metadata.name);
      return s ? dataLoadStatus(dl, s) : undefined;
    },
  };
}

/** Writes `status` through the status subresource unless the object already shows it. */
export async function applyStatusIfChanged(api: Pick<KubeApi, 'applyStatus'>, type: ResourceType, obj: KubeObject,
  status: Record<string, unknown>): Promise<void> {
  if (sameJson(obj['status'], status)) return;
  await api.applyStatus(type, obj.metadata.namespace ?? 'default', obj.metadata.name, status);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y)).map(([k, x]) => [k, sorted(x)]));
  return v;
}

// `eddy operator`: watches Datasets, Runtimes, DataLoads, Secrets and its own children, turns every
// change into the key of the Dataset it concerns, and reconciles keys from one rate-limited work
// queue. With leader election on (the default) only the replica holding the Lease reconciles.
import type { Logger } from '@eddy/core';
import { EventRecorder } from './kube/event-recorder.js';
import { isNotFound, KubeApi, type KubeObject, type ResourceCache, type ResourceType } from './kube/kube-api.js';
import { LeaderElector } from './kube/leader-election.js';
import { WorkQueue } from './kube/work-queue.js';
import { resolveOperatorOptions, type OperatorOptions, type ResolvedOperatorOptions } from './operator-options.js';
import { datasetNameOf, DatasetReconciler, type ObjectIndex, type ReconcilerCaches } from './reconcile/dataset-reconciler.js';
import { LABEL_DATASET, LABEL_DATASET_NAMESPACE, LABEL_MANAGED_BY, MANAGED_BY } from './resources/dataset-names.js';
import { DATALOAD, DATASET, OWNED_TYPES, RUNTIME_TYPES, SECRET, type RuntimeKind } from './resources/resource-types.js';

export interface OperatorHandle {
  /** Settles when the operator stops: resolves after close(), rejects if leadership is lost or it fails. */
  readonly done: Promise<void>;
  /** Stops watching and reconciling (releasing the Lease). Idempotent. */
  close(): Promise<void>;
}

/** Caches of one type, one per served namespace (or one for all), seen as one index. */
class NamespacedIndex implements ObjectIndex {
  constructor(readonly caches: Map<string | undefined, ResourceCache>) {}
  get(name: string, namespace?: string): KubeObject | undefined {
    return (this.caches.get(namespace) ?? this.caches.get(undefined))?.get(name, namespace);
  }
  list(namespace?: string): readonly KubeObject[] {
    if (namespace === undefined) return [...this.caches.values()].flatMap((c) => c.list());
    return (this.caches.get(namespace) ?? this.caches.get(undefined))?.list(namespace) ?? [];
  }
  async stop(): Promise<void> {
    for (const c of this.caches.values()) await c.stop();
  }
}

export async function startOperator(options: OperatorOptions): Promise<OperatorHandle> {
  const o = resolveOperatorOptions(options);
  const api = KubeApi.load(o.kubeconfig);
  const stop = new AbortController();
  const logger = o.logger;
  logger.info({ namespaces: o.namespaces.length > 0 ? o.namespaces : 'all', runtimeKinds: o.runtimeKinds, identity: o.identity }, 'operator starting');
  const done = o.leaderElection
    ? new LeaderElector(api, logger, {
        namespace: o.leaderElectionNamespace, name: o.leaderElectionId, identity: o.identity,
        leaseDurationMs: o.leaseDurationMs, renewDeadlineMs: o.renewDeadlineMs, retryPeriodMs: o.retryPeriodMs,
      }).run(stop.signal, (leading) => runControllers(api, o, leading))
    : runControllers(api, o, stop.signal);
  let closing: Promise<void> | undefined;
  return {
    done,
    close() {
      closing ??= (async () => {
        stop.abort();
        await done.catch((err: unknown) => logger.warn({ err }, 'operator stopped with an error'));
      })();
      return closing;
    },
  };
}

/** Keys (`namespace/dataset`) an object's change concerns. */
function keysOf(obj: KubeObject, datasets: ObjectIndex): string[] {
  const ns = obj.metadata.namespace ?? 'default';
  switch (obj.kind) {
    case 'Dataset': return [`${ns}/${obj.metadata.name}`];
    case 'DataLoad': { const d = datasetNameOf(obj); return d ? [`${ns}/${d}`] : []; }
    case 'Secret': {
      const own = obj.metadata.labels?.[LABEL_DATASET];
      if (own) return [`${obj.metadata.labels?.[LABEL_DATASET_NAMESPACE] ?? ns}/${own}`];
      return datasets.list(ns).filter((d) => JSON.stringify(d['spec'] ?? {}).includes(`"name":${JSON.stringify(obj.metadata.name)}`))
        .map((d) => `${ns}/${d.metadata.name}`);
    }
    default: {
      if (obj.kind in RUNTIME_TYPES) return [`${ns}/${obj.metadata.name}`];
      const own = obj.metadata.labels?.[LABEL_DATASET];
      return own ? [`${obj.metadata.labels?.[LABEL_DATASET_NAMESPACE] ?? ns}/${own}`] : [];
    }
  }
}

async function runControllers(api: KubeApi, o: ResolvedOperatorOptions, signal: AbortSignal): Promise<void> {
  const logger = o.logger;
  const queue = new WorkQueue();
  const scopes: Array<string | undefined> = o.namespaces.length > 0 ? o.namespaces : [undefined];
  const indexes: NamespacedIndex[] = [];
  let datasets: NamespacedIndex | undefined;
  let reconciler: DatasetReconciler | undefined;
  const onChange = (obj: KubeObject): void => {
    for (const key of keysOf(obj, datasets ?? new NamespacedIndex(new Map()))) {
      // A child changed or went away: apply everything again rather than trust the fingerprint.
      if (obj.metadata.labels?.[LABEL_MANAGED_BY] === MANAGED_BY) reconciler?.invalidate(key);
      queue.add(key);
    }
  };
  const onError = (err: unknown): void => logger.warn({ err }, 'watch failed; restarting it');
  const watchAll = async (type: ResourceType, labelSelector?: string): Promise<NamespacedIndex> => {
    const caches = new Map<string | undefined, ResourceCache>();
    for (const ns of scopes) caches.set(ns, await api.watch(type, ns, onChange, onError, labelSelector ? { labelSelector } : {}));
    const index = new NamespacedIndex(caches);
    indexes.push(index);
    return index;
  };
  try {
    datasets = await watchAll(DATASET);
    const runtimes: Array<[RuntimeKind, ObjectIndex]> = [];
    for (const kind of o.runtimeKinds) {
      try {
        runtimes.push([kind, await watchAll(RUNTIME_TYPES[kind])]);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        logger.warn({ kind }, `the ${kind} CRD is not installed: not serving ${kind}`);
      }
    }
    const caches: ReconcilerCaches = {
      datasets, runtimes,
      dataLoads: await watchAll(DATALOAD),
      secrets: await watchAll(SECRET),
      daemonSets: new NamespacedIndex(new Map()),
    };
    for (const type of OWNED_TYPES) {
      const index = await watchAll(type, `${LABEL_MANAGED_BY}=${MANAGED_BY}`);
      if (type.kind === 'DaemonSet') caches.daemonSets = index;
    }
    const events = new EventRecorder(api, logger, { component: 'eddy-operator' });
    reconciler = new DatasetReconciler(api, caches, events, logger, {
      render: o.render, masterAddresses: o.masterAddresses, statusIntervalMs: o.statusIntervalMs, metricsTokenFile: o.metricsTokenFile,
    });
    for (const d of datasets.list()) queue.add(`${d.metadata.namespace ?? 'default'}/${d.metadata.name}`);
    const resync = setInterval(() => {
      for (const d of datasets!.list()) {
        const key = `${d.metadata.namespace ?? 'default'}/${d.metadata.name}`;
        reconciler!.invalidate(key);
        queue.add(key);
      }
    }, o.resyncMs);
    resync.unref();
    logger.info({ datasets: datasets.list().length }, 'operator running');
    try {
      await Promise.all(Array.from({ length: o.workers }, () => work(queue, reconciler!, logger, signal)));
    } finally {
      clearInterval(resync);
    }
  } finally {
    queue.close();
    reconciler?.close();
    for (const index of indexes) await index.stop();
  }
}

async function work(queue: WorkQueue, reconciler: DatasetReconciler, logger: Logger, signal: AbortSignal): Promise<void> {
  const stopped = new Promise<void>((resolve) => signal.addEventListener('abort', () => { queue.close(); resolve(); }, { once: true }));
  for (;;) {
    const key = await Promise.race([queue.get(signal), stopped.then(() => undefined)]);
    if (key === undefined) return;
    try {
      const result = await reconciler.reconcile(key, signal);
      queue.forget(key);
      if (result.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
    } catch (err) {
      const delay = queue.addRateLimited(key);
      logger.warn({ err, dataset: key, retryInMs: delay }, 'reconcile failed; will retry');
    } finally {
      queue.done(key);
    }
  }
}

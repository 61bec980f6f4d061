// Reconciles one Dataset (key `namespace/name`): read the world from the caches, compute what should
// exist (workloads, volume, credentials, the master's manifests), apply the difference with
// server-side apply, and mirror the master's status into the custom resources. Level-triggered and
// idempotent: running it twice changes nothing, and a restarted operator picks up where it was.
import type { Logger } from '@eddy/core';
import { readTokenFile } from '@eddy/protocol';
import type { EventRecorder } from '../kube/event-recorder.js';
import type { KubeApi, KubeObject } from '../kube/kube-api.js';
import { MasterLink } from '../master/master-link.js';
import { DATASET_FINALIZER, DatasetNames } from '../resources/dataset-names.js';
import { DATALOAD, DATASET, OWNED_TYPES, PERSISTENT_VOLUME, RUNTIME_TYPES, type RuntimeKind } from '../resources/resource-types.js';
import { credentialSecret, newToken, tokenOf } from '../render/cluster-credentials.js';
import { datasetClaim, datasetVolume } from '../render/dataset-volume.js';
import { fuseDaemonSet } from '../render/fuse-workload.js';
import { masterService, masterStatefulSet } from '../render/master-workload.js';
import { metricsService, scrapeTokenSecret } from '../render/metrics-scrape.js';
import { CREDENTIAL_ROLES, RenderContext, type CredentialRole, type RenderOptions } from '../render/render-context.js';
import { workerStatefulSet } from '../render/worker-workload.js';
import { desiredSpec, masterDocuments, SpecError, type DesiredSpec } from '../spec/desired-spec.js';
import { applyStatusIfChanged, syncMaster, type MasterFacts } from './master-sync.js';
import { datasetProblemStatus, dataLoadProblemStatus, runtimeProblemStatus, runtimeStatus } from './status-views.js';

/** A read-only view of a list+watch cache. */
export interface ObjectIndex {
  get(name: string, namespace?: string): KubeObject | undefined;
  list(namespace?: string): readonly KubeObject[];
}

export interface ReconcilerCaches {
  datasets: ObjectIndex;
  dataLoads: ObjectIndex;
  secrets: ObjectIndex;
  runtimes: ReadonlyArray<[RuntimeKind, ObjectIndex]>;
  daemonSets: ObjectIndex;
}

export interface ReconcilerOptions {
  render: RenderOptions;
  /** Where to reach a Dataset's master, by `namespace/name`, when not through cluster DNS (out of cluster). */
  masterAddresses: ReadonlyMap<string, string>;
  /** How often a served Dataset's status is refreshed from its master. */
  statusIntervalMs: number;
  /** The scrape token's file (see OperatorOptions.metricsTokenFile); unset: no scrape token Secret. */
  metricsTokenFile?: string | undefined;
}

export interface ReconcileResult {
  requeueAfterMs?: number;
}

type Api = Pick<KubeApi, 'apply' | 'applyStatus' | 'delete' | 'get' | 'list' | 'mergePatch'>;

export class DatasetReconciler {
  readonly #api: Api;
  readonly #caches: ReconcilerCaches;
  readonly #events: EventRecorder;
  readonly #logger: Logger;
  readonly #options: ReconcilerOptions;
  readonly #links = new Map<string, MasterLink>();
  /** Fingerprint of what was last applied per Dataset: a status refresh does not re-apply unchanged objects. */
  readonly #applied = new Map<string, string>();

  constructor(api: Api, caches: ReconcilerCaches, events: EventRecorder, logger: Logger, options: ReconcilerOptions) {
    this.#api = api;
    this.#caches = caches;
    this.#events = events;
    this.#logger = logger;
    this.#options = options;
  }

  /** Forget what was applied (a child changed or went away, or a resync): the next pass applies everything. */
  invalidate(key: string): void {
    this.#applied.delete(key);
  }

  async reconcile(key: string, signal?: AbortSignal): Promise<ReconcileResult> {
    const [namespace = '', name = ''] = key.split('/');
    const names = new DatasetNames(namespace, name);
    const dataset = this.#caches.datasets.get(name, namespace);
    if (!dataset || dataset.metadata.deletionTimestamp) {
      await this.#teardown(names, dataset);
      return {};
    }
    await this.#ensureFinalizer(dataset);
    const found = this.#runtimeOf(names);
    const dataLoads = this.#caches.dataLoads.list(namespace).filter((d) => datasetNameOf(d) === name);
    if (!found) {
      await this.#removeWorkloads(names);
      await applyStatusIfChanged(this.#api, DATASET, dataset, datasetProblemStatus(dataset, 'NotBound', 'NoRuntime',
        `no ${this.#caches.runtimes.map(([k]) => k).join(' or ')} named "${name}" in namespace "${namespace}"`));
      return {};
    }
    const [kind, runtime] = found;
    let spec: DesiredSpec;
    try {
      spec = desiredSpec({ dataset, runtime, dataLoads, secretOf: (n) => this.#caches.secrets.get(n, namespace) });
    } catch (err) {
      if (!(err instanceof SpecError)) throw err;
      await this.#reportInvalid(dataset, runtime, dataLoads, err);
      // An edit of the object at fault (or of the Secret) brings the key back through the watch.
      return {};
    }
    for (const bad of spec.badDataLoads) {
      await this.#events.record(bad.object, 'Warning', bad.reason, bad.message);
      await applyStatusIfChanged(this.#api, DATALOAD, bad.object, dataLoadProblemStatus(bad.object, 'Failed', bad.reason, bad.message));
    }
    const ctx = new RenderContext(dataset, runtime, this.#options.render);
    const token = await this.#applyWorkloads(ctx, spec, kind);
    const facts = await this.#syncMaster(names, spec, token, signal);
    await this.#writeStatus(dataset, runtime, kind, spec, dataLoads, facts);
    return { requeueAfterMs: this.#options.statusIntervalMs };
  }

  /** Ends every master connection. Idempotent. */
  close(): void {
    for (const link of this.#links.values()) link.close();
    this.#links.clear();
  }

  #runtimeOf(names: DatasetNames): [RuntimeKind, KubeObject] | undefined {
    for (const [kind, index] of this.#caches.runtimes) {
      const rt = index.get(names.name, names.namespace);
      if (rt && !rt.metadata.deletionTimestamp) return [kind, rt];
    }
    return undefined;
  }

  async #ensureFinalizer(dataset: KubeObject): Promise<void> {
    const finalizers = dataset.metadata.finalizers ?? [];
    if (finalizers.includes(DATASET_FINALIZER)) return;
    await this.#api.mergePatch(dataset, { metadata: { finalizers: [...finalizers, DATASET_FINALIZER], resourceVersion: dataset.metadata.resourceVersion } });
  }

  /** Applies credentials, workloads and the volume; returns the admin token (the operator's, to the master). */
  async #applyWorkloads(ctx: RenderContext, spec: DesiredSpec, kind: RuntimeKind): Promise<string> {
    const names = ctx.names;
    const tokens = new Map<CredentialRole, string>();
    const objects: KubeObject[] = [];
    for (const role of CREDENTIAL_ROLES) {
      const existing = await this.#api.get('v1', 'Secret', names.credentialSecret(role), names.namespace);
      const token = tokenOf(existing) ?? newToken();
      tokens.set(role, token);
      if (!existing) objects.push(credentialSecret(ctx, role, token));
    }
    const scrapeFile = this.#options.metricsTokenFile;
    if (scrapeFile !== undefined) objects.push(scrapeTokenSecret(ctx, readTokenFile(scrapeFile, '--metrics-token-file')));
    const accessMode = spec.dataset.spec.accessMode;
    objects.push(
      masterService(ctx), masterStatefulSet(ctx), metricsService(ctx),
      workerStatefulSet(ctx, spec.tiers, spec.runtime.spec.replicas),
      fuseDaemonSet(ctx, spec.runtime.spec.fuse.args, spec.fuseNodeSelector),
      datasetVolume(ctx, accessMode, spec.fuseNodeSelector), datasetClaim(ctx, accessMode),
    );
    const fingerprint = JSON.stringify([kind, objects]);
    if (this.#applied.get(names.key) !== fingerprint) {
      for (const obj of objects) await this.#api.apply(obj);
      this.#applied.set(names.key, fingerprint);
      this.#logger.info({ dataset: names.key, runtime: `${kind}/${ctx.runtime.metadata.name}` }, 'applied master, workers, FUSE and volume');
    }
    return tokens.get('admin')!;
  }

  async #syncMaster(names: DatasetNames, spec: DesiredSpec, token: string, signal?: AbortSignal): Promise<MasterFacts | undefined> {
    const address = this.#options.masterAddresses.get(names.key) ?? names.masterAddress;
    let link = this.#links.get(names.key);
    if (!link || !link.matches(address, token)) {
      link?.close();
      link = new MasterLink(address, token);
      this.#links.set(names.key, link);
    }
    try {
      return await syncMaster(link, masterDocuments(spec), spec, signal);
    } catch (err) {
      // Expected while the master Pod starts: report it and look again at the next status refresh.
      this.#logger.debug({ err, dataset: names.key, master: address }, 'master not reachable yet');
      return undefined;
    }
  }

  async #writeStatus(dataset: KubeObject, runtime: KubeObject, kind: RuntimeKind, spec: DesiredSpec,
    dataLoads: readonly KubeObject[], facts: MasterFacts | undefined): Promise<void> {
    const ds = this.#caches.daemonSets.get(new DatasetNames(dataset.metadata.namespace ?? 'default', dataset.metadata.name).fuse, dataset.metadata.namespace);
    const dsStatus = (ds?.['status'] ?? {}) as { numberReady?: number; desiredNumberScheduled?: number };
    await applyStatusIfChanged(this.#api, RUNTIME_TYPES[kind], runtime, runtimeStatus(runtime, {
      replicas: spec.runtime.spec.replicas, liveWorkers: facts?.liveWorkers, cacheCapacity: facts?.cacheCapacity,
      fuseReady: dsStatus.numberReady, fuseDesired: dsStatus.desiredNumberScheduled,
    }));
    if (!facts) {
      await applyStatusIfChanged(this.#api, DATASET, dataset, datasetProblemStatus(dataset, 'NotBound', 'MasterUnavailable',
        'the master is not reachable yet (starting, or its Pod is not running)'));
      return;
    }
    await applyStatusIfChanged(this.#api, DATASET, dataset, facts.datasetStatus(dataset, runtime.metadata.name, kind));
    for (const dl of dataLoads) {
      if (!spec.dataLoads.has(dl.metadata.name)) continue;
      const status = facts.dataLoadStatus(dl);
      if (status) await applyStatusIfChanged(this.#api, DATALOAD, dl, status);
    }
  }

  async #reportInvalid(dataset: KubeObject, runtime: KubeObject, dataLoads: readonly KubeObject[], err: SpecError): Promise<void> {
    const at = err.object;
    this.#logger.warn({ object: `${at.kind}/${at.metadata.namespace}/${at.metadata.name}`, field: err.path, reason: err.reason }, 'cannot serve dataset: bad spec');
    await this.#events.record(at, 'Warning', err.reason, err.message);
    const message = err.message;
    if (at.kind !== 'Dataset' && at.kind !== 'Secret') await applyStatusIfChanged(this.#api, RUNTIME_TYPES[at.kind as RuntimeKind], runtime, runtimeProblemStatus(runtime, err.reason, message));
    await applyStatusIfChanged(this.#api, DATASET, dataset, datasetProblemStatus(dataset, 'Failed', err.reason, message));
    for (const dl of dataLoads) {
      await applyStatusIfChanged(this.#api, DATALOAD, dl, dataLoadProblemStatus(dl, 'Pending', 'DatasetNotReady', `Dataset ${dataset.metadata.name} cannot be served: ${message}`));
    }
  }

  /** What the Runtime brought (master, workers, FUSE, credentials) goes; the Dataset's PVC and PV stay. */
  async #removeWorkloads(names: DatasetNames): Promise<void> {
    this.#links.get(names.key)?.close();
    this.#links.delete(names.key);
    this.#applied.delete(names.key);
    const selector = `data.eddy.dev/dataset=${names.name},data.eddy.dev/dataset-namespace=${names.namespace},app.kubernetes.io/component in (master,worker,fuse,credentials,metrics)`;
    for (const type of [...OWNED_TYPES, { apiVersion: 'v1', kind: 'Secret' }]) {
      for (const obj of await this.#api.list(type.apiVersion, type.kind, names.namespace, selector)) await this.#api.delete(obj);
    }
  }

  async #teardown(names: DatasetNames, dataset: KubeObject | undefined): Promise<void> {
    await this.#removeWorkloads(names);
    const claim = await this.#api.get('v1', 'PersistentVolumeClaim', names.claim, names.namespace);
    if (claim?.metadata.labels?.['app.kubernetes.io/managed-by'] === 'eddy-operator') await this.#api.delete(claim);
    const pv = await this.#api.get(PERSISTENT_VOLUME.apiVersion, PERSISTENT_VOLUME.kind, names.volume);
    if (pv?.metadata.labels?.['data.eddy.dev/dataset-namespace'] === names.namespace) await this.#api.delete(pv);
    if (dataset && (dataset.metadata.finalizers ?? []).includes(DATASET_FINALIZER)) {
      const rest = (dataset.metadata.finalizers ?? []).filter((f) => f !== DATASET_FINALIZER);
      await this.#api.mergePatch(dataset, { metadata: { finalizers: rest.length > 0 ? rest : null, resourceVersion: dataset.metadata.resourceVersion } });
      this.#logger.info({ dataset: names.key }, 'dataset deleted: removed its volume and workloads');
    }
  }
}

export function datasetNameOf(dataLoad: KubeObject): string | undefined {
  const spec = dataLoad['spec'];
  const ref = spec && typeof spec === 'object' ? (spec as { dataset?: { name?: unknown } }).dataset : undefined;
  return typeof ref?.name === 'string' ? ref.name : undefined;
}

// The operator's one door to the API server, over @kubernetes/client-node: server-side apply with
// the operator's field manager, status through the status subresource, Events, Leases, and
// list+watch caches. Everything above this file sees plain objects and typed errors.
import {
  ApiException, CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi, makeInformer,
  PatchStrategy, setHeaderOptions, type CoreV1Event, type KubernetesObject,
} from '@kubernetes/client-node';
import { EddyError, type EddyErrorCode } from '@eddy/core';

export const FIELD_MANAGER = 'eddy-operator';

/** A namespaced or cluster-scoped object as the API server returns it (spec/status left untyped). */
export interface KubeObject extends KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: NonNullable<KubernetesObject['metadata']> & { name: string };
  [field: string]: unknown;
}

/**
 * A coordination.k8s.io/v1 Lease. Times are sent as RFC 3339 strings with microseconds (MicroTime:
 * the API server refuses the milliseconds of Date.toISOString); read back, they may be Dates.
 */
export interface Lease extends KubernetesObject {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string | Date;
    renewTime?: string | Date;
    leaseTransitions?: number;
  };
}

/** Identifies one resource type for list/watch. */
export interface ResourceType {
  apiVersion: string;
  kind: string;
  /** Lower-case plural, as in the URL path (`datasets`). */
  plural: string;
  namespaced: boolean;
}

/** A list+watch cache of one resource type in one namespace (or all). */
export interface ResourceCache {
  list(namespace?: string): readonly KubeObject[];
  get(name: string, namespace?: string): KubeObject | undefined;
  stop(): Promise<void>;
}

function codeOf(status: number): EddyErrorCode {
  if (status === 404) return 'NOT_FOUND';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'ACCESS_DENIED';
  if (status === 409) return 'ABORTED';
  if (status === 400 || status === 422) return 'INVALID_ARGUMENT';
  return status >= 500 || status === 0 ? 'UNAVAILABLE' : 'INTERNAL';
}

/** A call the API server refused; `status` is the HTTP status. */
export class KubeApiError extends EddyError {
  readonly status: number;
  constructor(message: string, status: number, options?: { cause?: unknown }) {
    super(codeOf(status), message, options);
    this.name = 'KubeApiError';
    this.status = status;
  }
}

function apiErrorMessage(err: ApiException<unknown>): string {
  const body = err.body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') return parsed.message;
    } catch { /* not JSON: use the text */ }
    return body.slice(0, 500);
  }
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') return (body as { message: string }).message;
  return err.message.split('\n')[0] ?? 'request failed';
}

/** Maps client-node's ApiException to KubeApiError (404 → undefined where the caller asks for it). */
async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiException) throw new KubeApiError(`${what}: ${apiErrorMessage(err)}`, err.code, { cause: err });
    throw err;
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 404;
}

export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409;
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function resourcePath(type: ResourceType, namespace?: string): string {
  const { group, version } = splitApiVersion(type.apiVersion);
  const base = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  return type.namespaced && namespace ? `${base}/namespaces/${namespace}/${type.plural}` : `${base}/${type.plural}`;
}

export class KubeApi {
  readonly config: KubeConfig;
  readonly #objects: KubernetesObjectApi;
  readonly #custom: CustomObjectsApi;
  readonly #core: CoreV1Api;

  constructor(config: KubeConfig) {
    this.config = config;
    this.#objects = KubernetesObjectApi.makeApiClient(config);
    this.#custom = config.makeApiClient(CustomObjectsApi);
    this.#core = config.makeApiClient(CoreV1Api);
  }

  /** Loads `kubeconfig`, or the in-cluster ServiceAccount when none is given. */
  static load(kubeconfig?: string): KubeApi {
    const kc = new KubeConfig();
    if (kubeconfig) kc.loadFromFile(kubeconfig);
    else kc.loadFromCluster();
    return new KubeApi(kc);
  }

  async get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubeObject | undefined> {
    try {
      return await call(`get ${kind} ${name}`, () => this.#objects.read({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } })) as KubeObject;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubeObject[]> {
    return (await this.#listWithVersion(apiVersion, kind, namespace, labelSelector)).items;
  }

  /** A list and the resourceVersion a watch continues from. */
  async #listWithVersion(apiVersion: string, kind: string, namespace?: string,
    labelSelector?: string): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    const list = await call(`list ${kind}`, () => this.#objects.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector));
    // List items of built-in kinds come without apiVersion and kind.
    return { items: list.items.map((o) => ({ ...o, apiVersion, kind })) as KubeObject[], resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  /** Server-side apply: the operator owns exactly the fields it sends (conflicts are forced: it is the controller). */
  async apply(obj: KubeObject): Promise<KubeObject> {
    return await call(`apply ${obj.kind} ${obj.metadata.name}`,
      () => this.#objects.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply)) as KubeObject;
  }

  /** Server-side apply of `status` through the status subresource of a custom resource. */
  async applyStatus(type: ResourceType, namespace: string, name: string, status: Record<string, unknown>): Promise<void> {
    const { group, version } = splitApiVersion(type.apiVersion);
    const body = { apiVersion: type.apiVersion, kind: type.kind, metadata: { name, namespace }, status };
    await call(`update status of ${type.kind} ${name}`, () => this.#custom.patchNamespacedCustomObjectStatus(
      { group, version, namespace, plural: type.plural, name, body, fieldManager: FIELD_MANAGER, force: true },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    ));
  }

  /** A JSON merge patch (finalizers: a list the operator shares with others, so never applied whole). */
  async mergePatch(obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>, patch: Record<string, unknown>): Promise<void> {
    const { metadata, ...rest } = patch;
    const spec: KubeObject = {
      ...rest, apiVersion: obj.apiVersion, kind: obj.kind,
      metadata: { ...(metadata as Record<string, unknown> | undefined), name: obj.metadata.name, namespace: obj.metadata.namespace },
    };
    await call(`patch ${obj.kind} ${obj.metadata.name}`,
      () => this.#objects.patch(spec, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch));
  }

  /** Deletes in the background (dependents follow through the garbage collector); absent is fine. */
  async delete(obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<boolean> {
    try {
      await call(`delete ${obj.kind} ${obj.metadata.name}`, () => this.#objects.delete(obj as KubeObject, undefined, undefined, undefined, undefined, 'Background'));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async createEvent(namespace: string, event: CoreV1Event): Promise<void> {
    await call('create event', () => this.#core.createNamespacedEvent({ namespace, body: event }));
  }

  async replaceEvent(namespace: string, name: string, event: CoreV1Event): Promise<void> {
    await call('update event', () => this.#core.replaceNamespacedEvent({ namespace, name, body: event }));
  }

  async readEvent(namespace: string, name: string): Promise<CoreV1Event | undefined> {
    try {
      return await call('read event', () => this.#core.readNamespacedEvent({ namespace, name }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async readLease(namespace: string, name: string): Promise<Lease | undefined> {
    return await this.get('coordination.k8s.io/v1', 'Lease', name, namespace) as Lease | undefined;
  }

  async createLease(namespace: string, lease: Lease): Promise<void> {
    await call('create lease', () => this.#objects.create({ ...lease, metadata: { ...lease.metadata, namespace } }));
  }

  /** Optimistic: fails with 409 when `lease.metadata.resourceVersion` is stale. */
  async replaceLease(namespace: string, lease: Lease): Promise<void> {
    await call('update lease', () => this.#objects.replace({ ...lease, metadata: { ...lease.metadata, namespace } }));
  }

  /**
   * Starts a list+watch cache of `type` (in `namespace`, or everywhere). `onChange` gets every added,
   * updated and deleted object; after a watch error the cache restarts itself after `retryMs`.
   */
  async watch(type: ResourceType, namespace: string | undefined, onChange: (obj: KubeObject) => void,
    onError: (err: unknown) => void, options: { labelSelector?: string; retryMs?: number } = {}): Promise<ResourceCache> {
    const listFn = async () => {
      const { items, resourceVersion } = await this.#listWithVersion(type.apiVersion, type.kind, type.namespaced ? namespace : undefined,
        options.labelSelector);
      return { metadata: { resourceVersion }, items };
    };
    const informer = makeInformer<KubeObject>(this.config, resourcePath(type, namespace), listFn, options.labelSelector);
    let stopped = false;
    const typed = (obj: KubeObject): KubeObject => ({ ...obj, apiVersion: type.apiVersion, kind: type.kind });
    informer.on('add', (o) => onChange(typed(o)));
    informer.on('update', (o) => onChange(typed(o)));
    informer.on('delete', (o) => onChange(typed(o)));
    informer.on('error', (err) => {
      if (stopped) return;
      onError(err);
      setTimeout(() => { if (!stopped) informer.start().catch(onError); }, options.retryMs ?? 2000).unref();
    });
    await informer.start();
    return {
      list: (ns) => informer.list(ns).map(typed),
      get: (name, ns) => { const o = informer.get(name, ns); return o ? typed(o) : undefined; },
      stop: async () => { stopped = true; await informer.stop(); },
    };
  }
}

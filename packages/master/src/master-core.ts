// The master's state and behaviour, independent of gRPC: manifests (journaled), dataset
// namespaces, the worker registry and block placement, computed status, and the DataLoad
// controller's view of all of it (MasterContext). master-service.ts maps RPCs onto this.
import type { Logger } from 'pino';
import { DEFAULT_BLOCK_SIZE, NotFoundError, ValidationError, VersionMismatchError, blockCount, blockKey, blockLength, blockSlices } from '@eddy/core';
import { createUfs as defaultCreateUfs } from '@eddy/ufs';
import { createWorkerClient, type RpcSecurity, type WorkerRpc, type proto } from '@eddy/protocol';
import { type DataLoadManifest, type DatasetManifest, type RuntimeManifest } from '@eddy/manifest';
import { Journal } from './journal/journal.js';
import { ManifestStore, categoryOf, type ApplyOutcome } from './manifests/manifest-store.js';
import { NamespaceManager } from './namespace/namespace-manager.js';
import type { DatasetNamespace, DirEntryInfo, UfsFactory } from './namespace/dataset-namespace.js';
import { WorkerRegistry, type WorkerRecord } from './placement/worker-registry.js';
import { computeDatasetStatus, type DatasetStatus } from './status/dataset-status.js';
import type { MasterContext, DataLoadFile, DataLoadWorker, StaleBlock } from './master-context.js';
import { DataLoadController } from './dataload/dataload-controller.js';

export interface MasterCoreOptions {
  dataDir: string;
  logger: Logger;
  /** Token (and TLS) used to call workers. */
  security: RpcSecurity;
  heartbeatIntervalMs: number;
  workerTimeoutMs: number;
  namespaceRefreshIntervalMs?: number;
  /** UFS driver factory (tests inject synthetic listings); default @eddy/common's createUfs. */
  createUfs?: UfsFactory;
  /** Deadline of a LoadBlocks call to a worker (default 10 min: a batch of large blocks). */
  loadBlocksTimeoutMs?: number;
}

/** How long Apply waits for a new dataset's first listing before answering. */
const APPLY_LISTING_WAIT_MS = 3000;

interface CurrentBlocks {
  generation: number;
  blockSize: number;
  /** Block key → block length, for every block of every current-version file. */
  keys: Map<string, number>;
}

function fileInfo(e: DirEntryInfo): proto.FileInfo {
  return { path: e.path, size: e.size, version: e.version, mtimeMs: e.mtimeMs, isDir: e.isDir };
}

function addressOf(w: WorkerRecord): proto.WorkerAddress {
  return { ...w.address };
}

export class MasterCore implements MasterContext {
  readonly journal: Journal;
  readonly manifests: ManifestStore;
  readonly namespaces: NamespaceManager;
  readonly registry: WorkerRegistry;
  readonly dataloads: DataLoadController;
  private readonly logger: Logger;
  private readonly currentCache = new Map<string, CurrentBlocks>();
  /** Why a dataset's mounts could not be resolved (e.g. a missing Secret); cleared on success. */
  private readonly mountErrors = new Map<string, string>();
  private readonly workerClients = new Map<string, { address: string; client: WorkerRpc }>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  private constructor(private readonly options: MasterCoreOptions, journal: Journal) {
    this.logger = options.logger;
    this.journal = journal;
    this.manifests = new ManifestStore(journal);
    const createUfs: UfsFactory = options.createUfs ?? ((config, opts) => defaultCreateUfs(config, { logger: opts.logger }));
    this.namespaces = new NamespaceManager({
      createUfs,
      logger: options.logger.child({ component: 'namespace' }),
      ...(options.namespaceRefreshIntervalMs ? { refreshIntervalMs: options.namespaceRefreshIntervalMs } : {}),
      onRefreshed: (ns) => this.afterRefresh(ns),
    });
    this.registry = new WorkerRegistry({
      workerTimeoutMs: options.workerTimeoutMs,
      logger: options.logger.child({ component: 'registry' }),
      onLost: (w) => this.dropWorkerClient(w.id),
    });
    // Workers re-register within a heartbeat of a master restart; a timeout's worth is ample.
    this.dataloads = new DataLoadController(this, options.logger.child({ component: 'dataload' }), { startupWorkerWaitMs: options.workerTimeoutMs });
  }

  static async open(options: MasterCoreOptions): Promise<MasterCore> {
    const journal = await Journal.open({ dir: options.dataDir, logger: options.logger.child({ component: 'journal' }) });
    const core = new MasterCore(options, journal);
    await core.restore();
    return core;
  }

  private async restore(): Promise<void> {
    for (const { manifest } of this.manifests.list<DatasetManifest>('Dataset')) void this.syncNamespace(manifest, true);
    for (const { manifest } of this.manifests.list<DataLoadManifest>('DataLoad')) {
      try {
        await this.dataloads.onApply(manifest);
      } catch (err) {
        this.logger.error({ dataload: manifest.metadata.name, err: (err as Error).message }, 'cannot restore DataLoad');
      }
    }
    this.dataloads.start();
    const every = Math.max(50, Math.min(1000, Math.floor(this.options.workerTimeoutMs / 4)));
    this.sweepTimer = setInterval(() => { this.registry.sweep(); }, every);
    this.sweepTimer.unref();
    this.logger.info({ datasets: this.namespaces.all().length, journalKeys: this.journal.size }, 'master state restored');
  }

  // ---- manifests ---------------------------------------------------------------------------

  /**
   * Creates/updates the namespace of a dataset from its manifest (secrets resolved) and lists it
   * in the background; the returned promise settles when that listing does (never rejects).
   */
  private syncNamespace(ds: DatasetManifest, refresh: boolean): Promise<void> {
    const name = ds.metadata.name;
    let mounts;
    try {
      mounts = this.manifests.resolveMounts(ds);
      this.mountErrors.delete(name);
    } catch (err) {
      this.mountErrors.set(name, (err as Error).message);
      // Keep the last good mounts and listing (if any) rather than an empty one.
      if (!this.namespaces.get(name)) this.namespaces.ensure(name, []);
      return Promise.resolve();
    }
    this.namespaces.ensure(name, mounts);
    this.currentCache.delete(name);
    if (!refresh) return Promise.resolve();
    // A failure shows as phase Failed with its reason.
    return this.namespaces.refresh(name).then(() => undefined, () => undefined);
  }

  async apply(text: string): Promise<ApplyOutcome[]> {
    const outcomes = await this.manifests.apply(text);
    const listings: Array<Promise<void>> = [];
    for (const o of outcomes) {
      if (o.action === 'unchanged') continue;
      const m = o.manifest;
      switch (m.kind) {
        case 'Dataset':
          listings.push(this.syncNamespace(m, true));
          break;
        case 'Secret':
          for (const { manifest: ds } of this.manifests.list<DatasetManifest>('Dataset')) {
            if (ds.spec.mounts.some((mt) => mt.encryptOptions.some((e) => e.valueFrom.secretKeyRef.name === m.metadata.name))) listings.push(this.syncNamespace(ds, true));
          }
          break;
        case 'JindoRuntime':
        case 'AlluxioRuntime':
          this.currentCache.delete(m.metadata.name);
          break;
        case 'DataLoad':
          await this.dataloads.onApply(m);
          break;
      }
    }
    // Give new listings a moment so a `get` right after `apply` shows sizes; a slow or failing
    // store does not hold the apply up for longer (the listing continues in the background).
    if (listings.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(listings), new Promise<void>((r) => { timer = setTimeout(r, APPLY_LISTING_WAIT_MS); })]);
      clearTimeout(timer);
    }
    return outcomes;
  }

  async delete(kind: string, name: string): Promise<boolean> {
    const cat = categoryOf(kind);
    if (!name) throw new ValidationError('name is required to delete', 'name');
    const existed = await this.manifests.delete(cat, name);
    if (!existed) return false;
    if (cat === 'Dataset') {
      this.namespaces.remove(name);
      this.currentCache.delete(name);
      this.mountErrors.delete(name);
    } else if (cat === 'DataLoad') {
      await this.dataloads.onDelete(name);
    } else if (cat === 'Secret') {
      for (const { manifest: ds } of this.manifests.list<DatasetManifest>('Dataset')) void this.syncNamespace(ds, false);
    }
    return true;
  }

  // ---- status ------------------------------------------------------------------------------

  /** Block keys (with lengths) of the current version of every file; cached per listing generation. */
  currentBlocks(dataset: string): CurrentBlocks | undefined {
    const ns = this.namespaces.get(dataset);
    if (!ns?.loaded) return undefined;
    const bs = this.blockSize(dataset);
    const cached = this.currentCache.get(dataset);
    if (cached && cached.generation === ns.generation && cached.blockSize === bs) return cached;
    const keys = new Map<string, number>();
    for (const f of ns.allFiles()) {
      const n = blockCount(f.size, bs);
      for (let i = 0; i < n; i++) keys.set(blockKey(dataset, f.path, f.version, i, bs), blockLength(f.size, bs, i));
    }
    const next = { generation: ns.generation, blockSize: bs, keys };
    this.currentCache.set(dataset, next);
    return next;
  }

  datasetStatus(name: string): DatasetStatus {
    const ns = this.namespaces.get(name);
    const runtime = this.manifests.runtime(name);
    const live = runtime ? this.registry.liveWorkers(name) : [];
    const current = this.currentBlocks(name);
    let cachedBytes = 0;
    if (current) {
      // Walk the smaller side: held keys are usually far fewer than a dataset's blocks.
      if (this.registry.heldKeyCount < current.keys.size) {
        for (const k of this.registry.heldKeys()) cachedBytes += current.keys.get(k) ?? 0;
      } else {
        for (const [k, len] of current.keys) if (this.registry.isHeld(k)) cachedBytes += len;
      }
    }
    const failure = this.mountErrors.get(name) ?? ns?.lastError;
    return computeDatasetStatus({
      runtime: runtime ? name : undefined,
      ufsTotalBytes: ns?.totalBytes ?? 0,
      fileNum: ns?.fileCount ?? 0,
      cachedBytes,
      cacheCapacityBytes: live.reduce((a, w) => a + w.tiers.reduce((b, t) => b + t.quotaBytes, 0), 0),
      hits: live.reduce((a, w) => a + w.counters.hits, 0),
      misses: live.reduce((a, w) => a + w.counters.misses, 0),
      liveWorkers: live.length,
      desiredWorkers: runtime?.spec.replicas ?? 0,
      failure,
      loaded: ns?.loaded ?? false,
      lastRefreshMs: ns?.lastRefreshMs ?? 0,
    });
  }

  // ---- workers -----------------------------------------------------------------------------

  registerWorker(req: proto.RegisterWorkerRequest__Output): proto.RegisterWorkerResponse {
    if (!req.workerId) throw new ValidationError('worker_id is required', 'worker_id');
    if (!req.runtime) throw new ValidationError('runtime is required', 'runtime');
    const rec = this.registry.register(req);
    const stale = this.staleAmong(rec.runtime, rec.blocks);
    if (stale.length > 0) this.registry.queueFree(rec.id, stale);
    const runtime = this.manifests.runtime(req.runtime);
    return { heartbeatIntervalMs: this.options.heartbeatIntervalMs, runtime: runtime ? runtimeSpec(runtime) : null };
  }

  heartbeat(req: proto.HeartbeatRequest__Output): proto.HeartbeatResponse {
    const rec = this.registry.heartbeat(req);
    if (!rec) return { reregister: true, free: [] };
    const stale = this.staleAmong(rec.runtime, req.added);
    if (stale.length > 0) this.registry.queueFree(rec.id, stale);
    // Loads never ride the heartbeat: DataLoads call the worker's LoadBlocks and wait for it.
    return { reregister: false, free: this.registry.takeFrees(rec) };
  }

  listWorkers(runtime: string): proto.WorkerStatus[] {
    return this.registry.all(runtime || undefined).map((w) => ({
      address: addressOf(w),
      runtime: w.runtime,
      tiers: w.tiers.map((t) => ({ ...t })),
      blockCount: w.blocks.size,
      lastHeartbeatMs: w.lastHeartbeatMs,
      live: w.live,
      counters: { ...w.counters },
    }));
  }

  /** Keys among `keys` that belong to no current-version file of the runtime's dataset (only once it is listed). */
  private staleAmong(runtime: string, keys: Iterable<string>): string[] {
    const current = this.currentBlocks(runtime);
    if (!current) return [];
    const out: string[] = [];
    for (const k of keys) if (!current.keys.has(k)) out.push(k);
    return out;
  }

  private afterRefresh(ns: DatasetNamespace): void {
    // Blocks of versions that are no longer current are freed eagerly, not left for eviction.
    for (const w of this.registry.liveWorkers(ns.dataset)) {
      const stale = this.staleAmong(ns.dataset, w.blocks);
      if (stale.length > 0) {
        this.registry.queueFree(w.id, stale);
        this.logger.info({ workerId: w.id, dataset: ns.dataset, blocks: stale.length }, 'freeing blocks of replaced versions');
      }
    }
  }

  private workerClient(workerId: string): WorkerRpc {
    const w = this.registry.get(workerId);
    if (!w?.live) throw new NotFoundError(`worker ${workerId} is not live`);
    const addr = w.address.grpcAddress;
    if (!addr) throw new NotFoundError(`worker ${workerId} registered no gRPC address`);
    const have = this.workerClients.get(workerId);
    if (have && have.address === addr) return have.client;
    have?.client.close();
    const client = createWorkerClient(addr, this.options.security);
    this.workerClients.set(workerId, { address: addr, client });
    return client;
  }

  private dropWorkerClient(workerId: string): void {
    this.workerClients.get(workerId)?.client.close();
    this.workerClients.delete(workerId);
  }

  // ---- namespace RPCs ----------------------------------------------------------------------

  private requireDataset(name: string): DatasetManifest {
    const ds = this.manifests.dataset(name);
    if (!ds) throw new NotFoundError(`dataset ${JSON.stringify(name)} does not exist`);
    return ds;
  }

  async stat(dataset: string, path: string): Promise<proto.FileInfo> {
    this.requireDataset(dataset);
    return fileInfo(await this.namespaces.lookup(dataset, path || '/'));
  }

  async list(dataset: string, path: string, pageToken: string, pageSize: number): Promise<proto.ListResponse> {
    this.requireDataset(dataset);
    const info = await this.namespaces.lookup(dataset, path || '/');
    if (!info.isDir) throw new ValidationError(`${info.path} is a file, not a directory`, 'path');
    const ns = this.namespaces.require(dataset);
    const page = ns.list(info.path, pageToken, pageSize);
    return { entries: page.entries.map(fileInfo), nextPageToken: page.nextPageToken };
  }

  async getBlockLocations(req: proto.GetBlockLocationsRequest__Output): Promise<proto.GetBlockLocationsResponse> {
    this.requireDataset(req.dataset);
    const info = await this.namespaces.lookup(req.dataset, req.path);
    if (info.isDir) throw new ValidationError(`${info.path} is a directory`, 'path');
    // The master only knows the current version; a handle pinned to another one must fail
    // rather than mix versions (its UFS reads carry If-Match and would fail the same way).
    if (req.version && req.version !== info.version) throw new VersionMismatchError(`${info.path} changed: version ${req.version} is no longer current`);
    const bs = this.blockSize(req.dataset);
    const offset = Number(req.offset);
    const length = Number(req.length) === 0 ? Math.max(0, info.size - offset) : Number(req.length);
    const indexes = new Set(blockSlices(offset, length, info.size, bs).map((s) => s.index));
    const live = this.registry.liveWorkers(req.dataset);
    const blocks: proto.BlockLocation[] = [];
    for (const index of indexes) {
      const key = blockKey(req.dataset, info.path, info.version, index, bs);
      const preferred = this.registry.preferred(key, req.dataset);
      blocks.push({
        index, key, length: blockLength(info.size, bs, index),
        holders: this.registry.holders(key).map(addressOf),
        ...(preferred && live.length > 0 ? { preferred: addressOf(preferred) } : {}),
      });
    }
    return { info: fileInfo(info), blockSize: bs, blocks };
  }

  /** Mounts with Secret values substituted: only for token holders (workers, FUSE clients); never logged. */
  getMounts(dataset: string): proto.GetMountsResponse {
    const ds = this.requireDataset(dataset);
    const mounts = this.manifests.resolveMounts(ds);
    const runtime = this.manifests.runtime(dataset);
    return {
      mounts: mounts.map((m) => ({ url: m.url, path: m.path, options: m.options })),
      runtime: runtime ? dataset : '',
      blockSize: this.blockSize(dataset),
      accessMode: ds.spec.accessMode,
      fuseArgs: runtime?.spec.fuse.args ?? [],
    };
  }

  // ---- MasterContext (DataLoad controller) --------------------------------------------------

  async refresh(dataset: string, _options?: { signal: AbortSignal }): Promise<void> {
    this.requireDataset(dataset);
    await this.namespaces.refresh(dataset);
  }

  async refreshCounts(dataset: string): Promise<{ files: number; bytes: number }> {
    const ds = this.requireDataset(dataset);
    if (this.mountErrors.has(dataset)) await this.syncNamespace(ds, false);
    const err = this.mountErrors.get(dataset);
    if (err) throw new NotFoundError(err);
    return await this.namespaces.refresh(dataset);
  }

  async listFiles(dataset: string, targetPath: string): Promise<DataLoadFile[]> {
    this.requireDataset(dataset);
    const ns = await this.namespaces.loaded(dataset);
    const files = ns.filesUnder(targetPath);
    if (files.length === 0 && !ns.stat(targetPath)) throw new NotFoundError(`no such file or directory ${targetPath} in dataset ${dataset}`);
    return files.map((f) => ({ path: f.path, size: f.size, version: f.version }));
  }

  blockSize(dataset: string): number {
    return this.manifests.runtime(dataset)?.spec.blockSize ?? DEFAULT_BLOCK_SIZE;
  }

  runtimeOf(dataset: string): string {
    if (!this.manifests.runtime(dataset)) throw new NotFoundError(`dataset ${dataset} has no Runtime (apply a JindoRuntime or AlluxioRuntime named ${dataset})`);
    return dataset;
  }

  liveWorkers(runtime: string): DataLoadWorker[] {
    return this.registry.liveWorkers(runtime).map((w) => ({ workerId: w.id, grpcAddress: w.address.grpcAddress }));
  }

  holders(key: string): string[] {
    return this.registry.holders(key).map((w) => w.id);
  }

  preferredWorkers(key: string, runtime: string, n: number): string[] {
    return this.registry.ranked(key, runtime, n).map((w) => w.id);
  }

  async loadBlocks(workerId: string, refs: proto.BlockRef[], options: { signal: AbortSignal }): Promise<proto.BlockResult__Output[]> {
    const client = this.workerClient(workerId);
    const started = Date.now();
    const res = await client.loadBlocks({ blocks: refs }, { signal: options.signal, timeoutMs: this.options.loadBlocksTimeoutMs ?? 600_000 });
    this.registry.recordHeld(workerId, res.results.filter((r) => r.ok).map((r) => r.key), started);
    return res.results;
  }

  async freeBlocks(workerId: string, keys: string[], options: { signal: AbortSignal }): Promise<number> {
    const client = this.workerClient(workerId);
    const res = await client.freeBlocks({ keys }, { signal: options.signal, timeoutMs: 60_000 });
    this.registry.recordFreed(workerId, keys);
    return res.freed;
  }

  staleBlocks(dataset: string): StaleBlock[] {
    const current = this.currentBlocks(dataset);
    if (!current) return [];
    const byKey = new Map<string, string[]>();
    for (const w of this.registry.liveWorkers(dataset)) {
      for (const k of w.blocks) {
        if (current.keys.has(k)) continue;
        const ids = byKey.get(k);
        if (ids) ids.push(w.id); else byKey.set(k, [w.id]);
      }
    }
    return [...byKey].map(([key, workerIds]) => ({ key, workerIds }));
  }

  async journalGet(key: string): Promise<unknown> {
    return await Promise.resolve(this.journal.get(key));
  }

  async journalPut(key: string, value: unknown): Promise<void> {
    await this.journal.put(key, value);
  }

  async journalDelete(key: string): Promise<void> {
    await this.journal.delete(key);
  }

  async expire(name: string): Promise<void> {
    await this.delete('DataLoad', name);
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.sweepTimer) clearInterval(this.sweepTimer);
      this.namespaces.close();
      await this.dataloads.close();
      for (const id of [...this.workerClients.keys()]) this.dropWorkerClient(id);
      await this.journal.close();
    })();
    return this.closing;
  }
}

/** The part of a Runtime a worker needs, typed for the wire (quotas already in bytes). */
function runtimeSpec(runtime: RuntimeManifest): proto.RuntimeSpec {
  return {
    blockSize: runtime.spec.blockSize,
    tiers: runtime.spec.tieredstore.levels.map((l) => ({ medium: l.mediumtype, path: l.path, quotaBytes: l.quota, usedBytes: 0, high: l.high, low: l.low })),
  };
}

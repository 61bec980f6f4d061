// The master's state and behaviour, independent of gRPC. It builds the parts and wires them:
// the journal, applied manifests, dataset namespaces (DatasetService), the worker registry and
// sessions, and the DataLoad scheduler (handed a DataLoadContext, not the core). What stays here
// is what spans parts: Apply/Delete of manifests, computed dataset status, restore and close.
// master-service.ts maps RPCs onto this and its parts (Get through rpc/get-resources.ts).
import type { Logger } from 'pino';
import { ValidationError } from '@eddy/core';
import type { ProcessMetrics } from '@eddy/metrics';
import type { proto } from '@eddy/protocol';
import type { StatusSnapshot } from '@eddy/status-page';
import type { DataLoadManifest, DatasetManifest } from '@eddy/manifest';
import { checkUfsAllowed, createUfs as defaultCreateUfs } from '@eddy/ufs';
import type { DataLoadContext } from './dataload/dataload-context.js';
import { DataLoadScheduler } from './dataload/dataload-scheduler.js';
import { Journal } from './journal/journal.js';
import { ManifestStore, categoryOf, type ApplyOutcome } from './manifests/manifest-store.js';
import type { ResolvedMasterOptions } from './master-options.js';
import type { UfsFactory } from './namespace/dataset-namespace.js';
import { DatasetService } from './namespace/dataset-service.js';
import { NamespaceManager } from './namespace/namespace-manager.js';
import { WorkerClients } from './placement/worker-clients.js';
import { WorkerRegistry, type WorkerRecord } from './placement/worker-registry.js';
import { WorkerSessions } from './placement/worker-sessions.js';
import { BlockRetention } from './status/block-retention.js';
import { CurrentBlocks } from './status/current-blocks.js';
import { DataLoadRunMeter } from './status/dataload-run-meter.js';
import { DatasetReadStats } from './status/dataset-read-stats.js';
import { replacedVersionGraceMs } from './status/replaced-version-grace.js';
import { computeDatasetStatus, type DatasetStatus } from './status/dataset-status.js';
import { masterMetricsSource, type MasterStateView } from './status/master-metrics-source.js';
import { statusSnapshot } from './status/status-snapshot.js';

/** What MasterCore needs of the resolved options (startMaster passes them all). */
export type MasterCoreOptions = Omit<ResolvedMasterOptions, 'listen' | 'httpListen' | 'signal' | 'shutdownGraceMs'>;

/** How often expired leases and ended grace periods are looked for. */
const RETENTION_SWEEP_MS = 1000;

function capacityOf(workers: WorkerRecord[]): number {
  return workers.reduce((a, w) => a + w.tiers.reduce((b, t) => b + t.quotaBytes, 0), 0);
}

export class MasterCore {
  readonly journal: Journal;
  readonly manifests: ManifestStore;
  readonly namespaces: NamespaceManager;
  readonly registry: WorkerRegistry;
  /** Stat, List, block locations, mounts and refreshes of datasets. */
  readonly datasets: DatasetService;
  /** RegisterWorker, Heartbeat, ListWorkers. */
  readonly workers: WorkerSessions;
  readonly dataloads: DataLoadScheduler;
  /** Bytes clients read by source (ReportReads): the hit ratios of Dataset status. */
  readonly reads: DatasetReadStats;
  readonly metrics: ProcessMetrics;
  readonly #runMeter: DataLoadRunMeter;
  readonly #options: MasterCoreOptions;
  readonly #log: Logger;
  readonly #currentBlocks: CurrentBlocks;
  /** Blocks outside the current versions that are kept for now: held open by mounts, or in their grace period. */
  readonly #retention: BlockRetention;
  readonly #workerClients: WorkerClients;
  #retentionTimer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;

  private constructor(options: MasterCoreOptions, journal: Journal) {
    this.#options = options;
    this.#log = options.logger;
    this.journal = journal;
    const allow = options.ufsAllow;
    this.manifests = new ManifestStore(journal, allow ? { checkMount: (m) => checkUfsAllowed(m, allow) } : {});
    const createUfs: UfsFactory = options.createUfs
      ?? ((config, opts) => defaultCreateUfs(config, { logger: opts.logger, ...(allow ? { allow } : {}) }));
    this.namespaces = new NamespaceManager({
      createUfs,
      logger: options.logger.child({ component: 'namespace' }),
      refreshIntervalMs: options.namespaceRefreshIntervalMs,
      refreshTimeoutMs: options.listingTimeoutMs,
      listConcurrency: options.listConcurrency,
      minOnDemandRefreshMs: options.onDemandRefreshMinIntervalMs,
      negativeTtlMs: options.negativeCacheTtlMs,
      onRefreshed: (ns) => this.workers.freeReplaced(ns.dataset),
    });
    this.registry = new WorkerRegistry({
      workerTimeoutMs: options.workerTimeoutMs,
      logger: options.logger.child({ component: 'registry' }),
      onLost: (w) => this.#workerClients.drop(w.id),
    });
    this.#retention = new BlockRetention({
      leaseMs: options.versionLeaseMs,
      graceMs: (dataset) => this.#replacedVersionGraceMs(dataset),
      blockSizeOf: (dataset) => this.datasets.blockSize(dataset),
    });
    this.#currentBlocks = new CurrentBlocks(this.namespaces, (dataset) => this.datasets.blockSize(dataset), this.#retention);
    this.datasets = new DatasetService({
      manifests: this.manifests, namespaces: this.namespaces, registry: this.registry, currentBlocks: this.#currentBlocks,
    });
    this.workers = new WorkerSessions({
      registry: this.registry, manifests: this.manifests, currentBlocks: this.#currentBlocks, retention: this.#retention,
      heartbeatIntervalMs: options.heartbeatIntervalMs, logger: options.logger,
    });
    this.#workerClients = new WorkerClients({
      registry: this.registry, security: options.security, workerToken: (runtime, id) => options.credentials.workerToken(runtime, id),
      loadBlocksTimeoutMs: options.loadBlocksTimeoutMs, freeBlocksTimeoutMs: options.freeBlocksTimeoutMs,
    });
    this.metrics = options.metrics;
    this.reads = new DatasetReadStats({ hitRatioWindowMs: options.hitRatioWindowMs, throughputWindowMs: options.throughputWindowMs });
    this.#runMeter = new DataLoadRunMeter(this.metrics.master);
    this.metrics.master.setSource(masterMetricsSource(this.#stateView()));
    this.dataloads = new DataLoadScheduler(this.#dataLoadContext(), options.logger.child({ component: 'dataload' }), {
      concurrency: options.dataLoadConcurrency,
      perWorkerConcurrency: options.dataLoadPerWorkerConcurrency,
      batchBlocks: options.dataLoadBatchBlocks,
      progressPersistMs: options.dataLoadProgressPersistMs,
      startupWorkerWaitMs: options.startupWorkerWaitMs,
    });
  }

  static async open(options: MasterCoreOptions): Promise<MasterCore> {
    const journal = await Journal.open({
      dir: options.dataDir, logger: options.logger.child({ component: 'journal' }), compactAfterRecords: options.journalCompactAfterRecords,
    });
    const core = new MasterCore(options, journal);
    await core.#restore();
    return core;
  }

  /** What the DataLoad scheduler may use of the master: four narrow parts and expiry. */
  #dataLoadContext(): DataLoadContext {
    const registry = this.registry;
    return {
      datasets: this.datasets,
      placement: {
        liveWorkers: (runtime) => registry.liveWorkers(runtime).map((w) => w.id),
        holders: (key) => registry.holders(key).map((w) => w.id),
        preferredWorkers: (key, runtime, n) => registry.ranked(key, runtime, n),
        waitForLiveWorker: (runtime, options) => registry.waitForLive(runtime, options),
      },
      workers: this.#workerClients,
      journal: this.journal,
      expire: async (name) => { await this.delete('DataLoad', name); },
      onProgress: (name) => {
        const dl = this.manifests.dataLoad(name);
        if (dl) this.#runMeter.observe(name, dl.spec.dataset.name, this.dataloads.statusOf(name));
      },
    };
  }

  /** The read-only view the metrics and the status page take of the master. */
  #stateView(): MasterStateView {
    return {
      manifests: this.manifests, registry: this.registry,
      datasetStatus: (name) => this.datasetStatus(name),
      dataLoadStatus: (name) => this.dataloads.statusOf(name),
    };
  }

  async #restore(): Promise<void> {
    for (const { manifest } of this.manifests.list<DatasetManifest>('Dataset')) void this.datasets.sync(manifest, true);
    for (const { manifest } of this.manifests.list<DataLoadManifest>('DataLoad')) {
      try {
        await this.dataloads.onApply(manifest);
      } catch (err) {
        this.#log.error({ dataload: manifest.metadata.name, err }, 'cannot restore DataLoad');
      }
    }
    this.dataloads.start();
    this.registry.startSweeping(this.#options.sweepIntervalMs);
    // Expired leases and ended grace periods free what they retained.
    this.#retentionTimer = setInterval(() => {
      for (const dataset of this.#retention.sweep()) this.workers.freeReplaced(dataset);
    }, RETENTION_SWEEP_MS);
    this.#retentionTimer.unref();
    this.#log.info({ datasets: this.namespaces.all().length, journalKeys: this.journal.size }, 'master state restored');
  }

  // ---- manifests ---------------------------------------------------------------------------

  async apply(text: string): Promise<ApplyOutcome[]> {
    const outcomes = await this.manifests.apply(text);
    const listings: Array<Promise<void>> = [];
    for (const o of outcomes) {
      if (o.action === 'unchanged') continue;
      const m = o.manifest;
      switch (m.kind) {
        case 'Dataset':
          listings.push(this.datasets.sync(m, true));
          break;
        case 'Secret':
          for (const ds of this.#datasetsUsingSecret(m.metadata.name)) listings.push(this.datasets.sync(ds, true));
          break;
        case 'JindoRuntime':
        case 'AlluxioRuntime':
          this.#currentBlocks.invalidate(m.metadata.name);
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
      const waited = new Promise<void>((resolve) => { timer = setTimeout(resolve, this.#options.applyListingWaitMs); });
      await Promise.race([Promise.all(listings), waited]);
      clearTimeout(timer);
    }
    return outcomes;
  }

  #datasetsUsingSecret(secret: string): DatasetManifest[] {
    return this.manifests.list<DatasetManifest>('Dataset').map((s) => s.manifest)
      .filter((ds) => ds.spec.mounts.some((mt) => mt.encryptOptions.some((e) => e.valueFrom.secretKeyRef.name === secret)));
  }

  async delete(kind: string, name: string): Promise<boolean> {
    const cat = categoryOf(kind);
    if (!name) throw new ValidationError('name is required to delete', 'name');
    const existed = await this.manifests.delete(cat, name);
    if (!existed) return false;
    if (cat === 'Dataset') {
      this.datasets.forget(name);
      this.reads.forget(name);
      this.metrics.master.forgetDataset(name);
    } else if (cat === 'DataLoad') {
      await this.dataloads.onDelete(name);
      this.#runMeter.forget(name);
    } else if (cat === 'Secret') {
      for (const { manifest: ds } of this.manifests.list<DatasetManifest>('Dataset')) void this.datasets.sync(ds, false);
    }
    return true;
  }

  // ---- versions mounts hold open -------------------------------------------------------------

  /**
   * HoldVersions: `clientId` (one mount) has these versions of `dataset` open. Their blocks are
   * neither freed nor evicted until the mount releases them or stops renewing; a released version
   * that nothing else retains is freed now.
   */
  /**
   * RegisterWorker: the registration, and the worker token it was made with, which the master
   * presents when it calls that worker (LoadBlocks, FreeBlocks).
   */
  registerWorker(req: proto.RegisterWorkerRequest__Output, token: string): proto.RegisterWorkerResponse {
    const res = this.workers.register(req);
    this.#workerClients.registeredWith(req.workerId, token);
    return res;
  }

  holdVersions(req: proto.HoldVersionsRequest__Output): proto.HoldVersionsResponse {
    if (!req.dataset) throw new ValidationError('dataset is required', 'dataset');
    if (!req.clientId) throw new ValidationError('client_id is required', 'client_id');
    const files = req.files.filter((f) => !f.isDir && f.version !== '')
      .map((f) => ({ path: f.path, version: f.version, size: Number(f.size) }));
    const released = this.#retention.hold(req.dataset, req.clientId, files);
    if (released.length > 0) this.workers.freeReleased(req.dataset, released);
    return { leaseMs: this.#retention.leaseMs };
  }

  #replacedVersionGraceMs(dataset: string): number {
    const accessMode = this.manifests.dataset(dataset)?.spec.accessMode ?? 'ReadOnlyMany';
    const fuseArgs = this.manifests.runtime(dataset)?.spec.fuse.args ?? [];
    return replacedVersionGraceMs(fuseArgs, accessMode, this.#options.maxReplacedVersionGraceMs);
  }

  // ---- status ------------------------------------------------------------------------------

  datasetStatus(name: string): DatasetStatus {
    const ns = this.namespaces.get(name);
    const runtime = this.manifests.runtime(name);
    const live = runtime ? this.registry.liveWorkers(name) : [];
    return computeDatasetStatus({
      runtime: runtime ? name : undefined,
      ufsTotalBytes: ns?.totalBytes ?? 0,
      fileNum: ns?.fileCount ?? 0,
      cachedBytes: this.#cachedBytes(name),
      cacheCapacityBytes: capacityOf(live),
      reads: this.reads.ratios(name),
      liveWorkers: live.length,
      desiredWorkers: runtime?.spec.replicas ?? 0,
      failure: this.datasets.mountError(name) ?? ns?.lastError,
      loaded: ns?.loaded ?? false,
      lastRefreshMs: ns?.lastRefreshMs ?? 0,
      source: ns?.source ?? 'bucket',
    });
  }

  /**
   * A client's cumulative bytes by source (ReportReads). Reports for datasets that do not exist
   * are ignored, so a client cannot grow the master's state or its metric labels.
   */
  reportReads(req: proto.ReportReadsRequest__Output): void {
    if (!req.clientId) throw new ValidationError('client_id is required', 'client_id');
    for (const r of req.reads) {
      if (!this.manifests.dataset(r.dataset)) continue;
      const totals = { local: Number(r.localBytes), remote: Number(r.remoteBytes), ufs: Number(r.ufsBytes) };
      const delta = this.reads.report(req.clientId, r.dataset, totals);
      this.metrics.master.clientReads(r.dataset, delta);
    }
  }

  /** What the status page shows, now. */
  statusSnapshot(): StatusSnapshot {
    return statusSnapshot(this.#stateView());
  }

  /** Unique bytes of current-version blocks held by a live worker. */
  #cachedBytes(dataset: string): number {
    const current = this.#currentBlocks.of(dataset);
    if (!current) return 0;
    let bytes = 0;
    // Walk the smaller side: held keys are usually far fewer than a dataset's blocks.
    if (this.registry.heldKeyCount < current.keys.size) {
      for (const k of this.registry.heldKeys()) bytes += current.keys.get(k) ?? 0;
    } else {
      for (const [k, len] of current.keys) if (this.registry.isHeld(k)) bytes += len;
    }
    return bytes;
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /** Stops timers and DataLoad runs, closes worker clients and the journal. Twice is fine. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#retentionTimer);
      this.registry.close();
      this.namespaces.close();
      await this.dataloads.close();
      this.#workerClients.close();
      await this.journal.close();
    })();
    return this.#closing;
  }
}

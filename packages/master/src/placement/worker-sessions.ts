// The worker side of the Master service: RegisterWorker (full block report; the reply carries
// the heartbeat interval and the Runtime), Heartbeat (deltas; the reply carries blocks to free
// and `reregister`), ListWorkers. Blocks of versions that are no longer current are queued to be
// freed whenever they are reported and after every listing.
import type { Logger } from 'pino';
import { ValidationError } from '@eddy/core';
import type { RuntimeManifest } from '@eddy/manifest';
import type { proto } from '@eddy/protocol';
import type { ManifestStore } from '../manifests/manifest-store.js';
import type { DatasetNamespace } from '../namespace/dataset-namespace.js';
import type { CurrentBlocks } from '../status/current-blocks.js';
import { wireAddress, type WorkerRegistry } from './worker-registry.js';

export interface WorkerSessionsOptions {
  registry: WorkerRegistry;
  manifests: ManifestStore;
  currentBlocks: CurrentBlocks;
  heartbeatIntervalMs: number;
  logger: Logger;
}

/** The part of a Runtime a worker needs, typed for the wire (quotas already in bytes). */
function runtimeSpec(runtime: RuntimeManifest): proto.RuntimeSpec {
  return {
    blockSize: runtime.spec.blockSize,
    tiers: runtime.spec.tieredstore.levels.map((l) => ({ medium: l.mediumtype, path: l.path, quotaBytes: l.quota, usedBytes: 0, high: l.high, low: l.low })),
  };
}

export class WorkerSessions {
  readonly #o: WorkerSessionsOptions;

  constructor(options: WorkerSessionsOptions) {
    this.#o = options;
  }

  register(req: proto.RegisterWorkerRequest__Output): proto.RegisterWorkerResponse {
    if (!req.workerId) throw new ValidationError('worker_id is required', 'worker_id');
    if (!req.runtime) throw new ValidationError('runtime is required', 'runtime');
    const { registry, currentBlocks, manifests } = this.#o;
    const rec = registry.register(req);
    const stale = currentBlocks.staleAmong(rec.runtime, rec.blocks);
    if (stale.length > 0) registry.queueFree(rec.id, stale);
    const runtime = manifests.runtime(req.runtime);
    return { heartbeatIntervalMs: this.#o.heartbeatIntervalMs, runtime: runtime ? runtimeSpec(runtime) : null };
  }

  heartbeat(req: proto.HeartbeatRequest__Output): proto.HeartbeatResponse {
    const { registry, currentBlocks } = this.#o;
    const rec = registry.heartbeat(req);
    if (!rec) return { reregister: true, free: [] };
    const stale = currentBlocks.staleAmong(rec.runtime, req.added);
    if (stale.length > 0) registry.queueFree(rec.id, stale);
    // Loads never ride the heartbeat: DataLoads call the worker's LoadBlocks and wait for it.
    return { reregister: false, free: registry.takeFrees(rec) };
  }

  list(runtime: string): proto.WorkerStatus[] {
    return this.#o.registry.all(runtime || undefined).map((w) => ({
      address: wireAddress(w),
      runtime: w.runtime,
      tiers: w.tiers.map((t) => ({ ...t })),
      blockCount: w.blocks.size,
      lastHeartbeatMs: w.lastHeartbeatMs,
      live: w.live,
      counters: { ...w.counters },
    }));
  }

  /** After a listing: blocks of versions that are no longer current are freed eagerly, not left for eviction. */
  freeReplaced(ns: DatasetNamespace): void {
    const { registry, currentBlocks } = this.#o;
    for (const w of registry.liveWorkers(ns.dataset)) {
      const stale = currentBlocks.staleAmong(ns.dataset, w.blocks);
      if (stale.length > 0) {
        registry.queueFree(w.id, stale);
        this.#o.logger.info({ workerId: w.id, dataset: ns.dataset, blocks: stale.length }, 'freeing blocks of replaced versions');
      }
    }
  }
}

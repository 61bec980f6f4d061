// The worker side of the Master service: RegisterWorker (full block report; the reply carries
// the heartbeat interval and the Runtime), Heartbeat (deltas; the reply carries blocks to free,
// blocks to pin and unpin, and `reregister`), ListWorkers. Blocks of versions that are no longer
// current are queued to be freed, once nothing retains them, whenever they are reported, after
// every listing and when a retention ends. Blocks of versions a mount holds open are pinned.
import type { Logger } from 'pino';
import { ValidationError } from '@eddy/core';
import type { RuntimeManifest } from '@eddy/manifest';
import type { proto } from '@eddy/protocol';
import type { ManifestStore } from '../manifests/manifest-store.js';
import type { BlockRetention } from '../status/block-retention.js';
import type { CurrentBlocks } from '../status/current-blocks.js';
import { wireAddress, type WorkerRecord, type WorkerRegistry } from './worker-registry.js';

export interface WorkerSessionsOptions {
  registry: WorkerRegistry;
  manifests: ManifestStore;
  currentBlocks: CurrentBlocks;
  retention: BlockRetention;
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
    const runtime = manifests.runtime(req.runtime);
    const answer = { heartbeatIntervalMs: this.#o.heartbeatIntervalMs, runtime: runtime ? runtimeSpec(runtime) : null };
    // A worker with no address yet only asks for its tiers (start-worker.ts, before its servers
    // exist). Registered, it was listed live with no address (mounts and DataLoads offered a worker
    // nobody can reach) and its earlier record's blocks were dropped until the real registration.
    if (!req.address?.dataAddress && !req.address?.grpcAddress) return answer;
    const rec = registry.register(req);
    const stale = currentBlocks.staleAmong(rec.runtime, rec.blocks);
    if (stale.length > 0) registry.queueFree(rec.id, stale);
    return answer;
  }

  heartbeat(req: proto.HeartbeatRequest__Output): proto.HeartbeatResponse {
    const { registry, currentBlocks, retention } = this.#o;
    const rec = registry.heartbeat(req);
    if (!rec) return { reregister: true, free: [], pin: [], unpin: [] };
    const stale = currentBlocks.staleAmong(rec.runtime, req.added);
    if (stale.length > 0) registry.queueFree(rec.id, stale);
    // A mount may have started holding a version since its blocks were queued: keep those.
    const held = retention.heldKeys(rec.runtime);
    const free = registry.takeFrees(rec).filter((k) => !held.has(k));
    // Loads never ride the heartbeat: DataLoads call the worker's LoadBlocks and wait for it.
    return { reregister: false, free, ...this.#pinDelta(rec, held) };
  }

  /** What to tell the worker so that it pins exactly the held blocks it has (level-triggered). */
  #pinDelta(rec: WorkerRecord, held: ReadonlySet<string>): { pin: string[]; unpin: string[] } {
    const pin: string[] = [];
    const unpin: string[] = [];
    for (const k of held) if (rec.blocks.has(k) && !rec.pinned.has(k)) pin.push(k);
    for (const k of rec.pinned) if (!held.has(k) || !rec.blocks.has(k)) unpin.push(k);
    for (const k of pin) rec.pinned.add(k);
    for (const k of unpin) rec.pinned.delete(k);
    return { pin, unpin };
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

  /** When a mount released versions: those of `keys` that are stale and retained by nothing are freed where held. */
  freeReleased(dataset: string, keys: string[]): void {
    const { registry, currentBlocks } = this.#o;
    for (const k of currentBlocks.staleAmong(dataset, keys)) {
      for (const w of registry.holders(k)) registry.queueFree(w.id, [k]);
    }
  }

  /**
   * After a listing, or when a lease expired or a grace period ended: blocks of versions
   * that are no longer current and that nothing retains are freed eagerly, not left for eviction.
   */
  freeReplaced(dataset: string): void {
    const { registry, currentBlocks } = this.#o;
    for (const w of registry.liveWorkers(dataset)) {
      const stale = currentBlocks.staleAmong(dataset, w.blocks);
      if (stale.length > 0) {
        registry.queueFree(w.id, stale);
        this.#o.logger.info({ workerId: w.id, dataset, blocks: stale.length }, 'freeing blocks of replaced versions');
      }
    }
  }
}

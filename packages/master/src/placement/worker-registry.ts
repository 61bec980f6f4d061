// Worker registry and block placement map: which workers are live, what they can hold, and which
// of them hold each block. Soft state rebuilt from full block reports on (re)register and kept
// current by heartbeat deltas; a worker silent past the timeout is lost and its blocks leave the map.
import type { Logger } from 'pino';
import type { proto } from '@eddy/protocol';
import { rendezvousPick, rendezvousRank } from './rendezvous-hash.js';

export interface TierState {
  medium: string;
  path: string;
  quotaBytes: number;
  usedBytes: number;
  high: number;
  low: number;
}

export interface WorkerCountersState {
  hits: number;
  misses: number;
  bytesServed: number;
  ufsBytesRead: number;
}

export interface WorkerAddressState {
  workerId: string;
  dataAddress: string;
  hostId: string;
  grpcAddress: string;
}

export interface WorkerRecord {
  id: string;
  runtime: string;
  address: WorkerAddressState;
  tiers: TierState[];
  blocks: Set<string>;
  counters: WorkerCountersState;
  registeredAtMs: number;
  lastHeartbeatMs: number;
  live: boolean;
  /** Block keys the worker should drop, sent with its next heartbeat reply. */
  pendingFree: Set<string>;
  /** Block keys the worker was told to pin (a mount holds their version open); empty after a (re)register. */
  pinned: Set<string>;
}

export interface WorkerRegistryOptions {
  workerTimeoutMs: number;
  logger: Logger;
  now?: () => number;
  /** Called when a worker is lost (timeout), after its blocks left the map. */
  onLost?: (worker: WorkerRecord) => void;
}

/** Keeps lost workers listed (as not live) for this long, so `get worker` can show them. */
const LOST_RETENTION_MS = 10 * 60_000;
/** Removal times are kept per worker while a LoadBlocks call that started earlier may answer. */
const REMOVED_PRUNE_ABOVE = 100_000;
const REMOVED_KEEP_MS = 15 * 60_000;

interface LiveWaiter {
  runtime: string;
  settle(came: boolean): void;
}

function tierOf(t: proto.TierInfo__Output): TierState {
  return { medium: t.medium, path: t.path, quotaBytes: Number(t.quotaBytes), usedBytes: Number(t.usedBytes), high: t.high, low: t.low };
}

function addressOf(id: string, a: proto.WorkerAddress__Output | null | undefined): WorkerAddressState {
  return { workerId: id, dataAddress: a?.dataAddress ?? '', hostId: a?.hostId ?? '', grpcAddress: a?.grpcAddress ?? '' };
}

/** A worker's address as the wire carries it. */
export function wireAddress(w: WorkerRecord): proto.WorkerAddress {
  return { ...w.address };
}

export class WorkerRegistry {
  readonly #options: WorkerRegistryOptions;
  readonly #now: () => number;
  readonly #workers = new Map<string, WorkerRecord>();
  /**
   * Block key → the id of the live worker holding it, or the ids when several do. Most blocks
   * have one holder: a bare id costs nothing (the string is the worker record's), where a Set per
   * key cost ~100 bytes per block (bench/results/master-scale.md).
   */
  readonly #placement = new Map<string, string | string[]>();
  /** Per worker, block key → when a heartbeat reported it removed (see recordHeld). */
  readonly #removedAt = new Map<string, Map<string, number>>();
  readonly #waiters = new Set<LiveWaiter>();
  #sweepTimer: NodeJS.Timeout | undefined;

  constructor(options: WorkerRegistryOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Sweeps for silent workers every `intervalMs` until close(). */
  startSweeping(intervalMs: number): void {
    if (this.#sweepTimer !== undefined) return;
    this.#sweepTimer = setInterval(() => { this.sweep(); }, intervalMs);
    this.#sweepTimer.unref();
  }

  /** Stops sweeping; waiters for live workers settle false. */
  close(): void {
    if (this.#sweepTimer !== undefined) clearInterval(this.#sweepTimer);
    this.#sweepTimer = undefined;
    for (const w of [...this.#waiters]) w.settle(false);
  }

  /** Replaces (or creates) the worker's record from a full report. */
  register(req: proto.RegisterWorkerRequest__Output): WorkerRecord {
    const old = this.#workers.get(req.workerId);
    if (old) this.#dropBlocks(old);
    const now = this.#now();
    const rec: WorkerRecord = {
      id: req.workerId,
      runtime: req.runtime,
      address: addressOf(req.workerId, req.address),
      tiers: req.tiers.map(tierOf),
      blocks: new Set(),
      counters: old?.counters ?? { hits: 0, misses: 0, bytesServed: 0, ufsBytesRead: 0 },
      registeredAtMs: now,
      lastHeartbeatMs: now,
      live: true,
      pendingFree: new Set(),
      pinned: new Set(),
    };
    this.#workers.set(rec.id, rec);
    this.#removedAt.delete(rec.id);
    for (const k of req.blockKeys) this.#addBlock(rec, k);
    this.#options.logger.info({ workerId: rec.id, runtime: rec.runtime, blocks: rec.blocks.size, rejoined: old !== undefined }, 'worker registered');
    for (const w of [...this.#waiters]) if (w.runtime === rec.runtime) w.settle(true);
    return rec;
  }

  /** Applies a heartbeat; undefined when the worker is unknown or lost (it must re-register). */
  heartbeat(req: proto.HeartbeatRequest__Output): WorkerRecord | undefined {
    const rec = this.#workers.get(req.workerId);
    if (!rec || !rec.live) return undefined;
    rec.lastHeartbeatMs = this.#now();
    const removedAt = this.#removedTimes(rec.id);
    for (const k of req.added) { this.#addBlock(rec, k); removedAt.delete(k); }
    const now = Date.now();
    for (const k of req.removed) { this.#removeBlock(rec, k); removedAt.set(k, now); }
    if (removedAt.size > REMOVED_PRUNE_ABOVE) for (const [k, t] of removedAt) if (now - t > REMOVED_KEEP_MS) removedAt.delete(k);
    if (req.tiers.length > 0) rec.tiers = req.tiers.map(tierOf);
    if (req.counters) {
      rec.counters = {
        hits: Number(req.counters.hits), misses: Number(req.counters.misses),
        bytesServed: Number(req.counters.bytesServed), ufsBytesRead: Number(req.counters.ufsBytesRead),
      };
    }
    return rec;
  }

  /** Takes (and clears) the block keys queued for a worker to drop. */
  takeFrees(rec: WorkerRecord): string[] {
    const free = [...rec.pendingFree];
    rec.pendingFree.clear();
    return free;
  }

  /** Queues block keys for a worker to drop at its next heartbeat. */
  queueFree(workerId: string, keys: Iterable<string>): boolean {
    const rec = this.#workers.get(workerId);
    if (!rec?.live) return false;
    for (const k of keys) rec.pendingFree.add(k);
    return true;
  }

  /** Marks workers silent past the timeout as lost; returns them. */
  sweep(): WorkerRecord[] {
    const now = this.#now();
    const lost: WorkerRecord[] = [];
    for (const rec of this.#workers.values()) {
      if (rec.live && now - rec.lastHeartbeatMs > this.#options.workerTimeoutMs) {
        rec.live = false;
        this.#dropBlocks(rec);
        rec.pendingFree.clear();
        lost.push(rec);
        this.#options.logger.warn({ workerId: rec.id, runtime: rec.runtime, silentMs: now - rec.lastHeartbeatMs }, 'worker lost: no heartbeat within the timeout');
        this.#options.onLost?.(rec);
      } else if (!rec.live && now - rec.lastHeartbeatMs > LOST_RETENTION_MS) {
        this.#workers.delete(rec.id);
      }
    }
    return lost;
  }

  get(workerId: string): WorkerRecord | undefined {
    return this.#workers.get(workerId);
  }

  /** Every known worker (live and recently lost), optionally of one runtime, by id. */
  all(runtime?: string): WorkerRecord[] {
    return [...this.#workers.values()].filter((w) => !runtime || w.runtime === runtime).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  liveWorkers(runtime?: string): WorkerRecord[] {
    return this.all(runtime).filter((w) => w.live);
  }

  /**
   * Resolves true as soon as `runtime` has a live worker (at once if it has one), false after
   * `timeoutMs`, on abort or on close. Woken by register(): no polling; timer and listener are
   * removed either way.
   */
  waitForLive(runtime: string, options: { timeoutMs: number; signal?: AbortSignal | undefined }): Promise<boolean> {
    if (this.liveWorkers(runtime).length > 0) return Promise.resolve(true);
    const { signal } = options;
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter: LiveWaiter = {
        runtime,
        settle: (came) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          this.#waiters.delete(waiter);
          resolve(came);
        },
      };
      const onAbort = (): void => waiter.settle(false);
      const timer = setTimeout(onAbort, options.timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(waiter);
    });
  }

  /** Live workers holding `key`. */
  holders(key: string): WorkerRecord[] {
    const ids = this.#placement.get(key);
    if (ids === undefined) return [];
    const out: WorkerRecord[] = [];
    for (const id of typeof ids === 'string' ? [ids] : ids) {
      const w = this.#workers.get(id);
      if (w?.live) out.push(w);
    }
    return out;
  }

  /** True when at least one live worker holds `key`. */
  isHeld(key: string): boolean {
    return this.#placement.has(key);
  }

  /** Number of distinct block keys held by live workers. */
  get heldKeyCount(): number {
    return this.#placement.size;
  }

  /** Iterates held keys (for status computation). */
  heldKeys(): IterableIterator<string> {
    return this.#placement.keys();
  }

  /** The consistent-hash choice for `key` among the live workers of `runtime`. */
  preferred(key: string, runtime: string): WorkerRecord | undefined {
    return this.preferredAmong(key, this.liveWorkers(runtime));
  }

  /** The consistent-hash choice for `key` among `live` (a caller's liveWorkers(runtime), reused across keys). */
  preferredAmong(key: string, live: readonly WorkerRecord[]): WorkerRecord | undefined {
    const id = rendezvousPick(key, live.map((w) => w.id));
    return id === undefined ? undefined : this.#workers.get(id);
  }

  /** Ids of the `count` best workers for `key` among the live workers of `runtime` (replicas). */
  ranked(key: string, runtime: string, count: number): string[] {
    return rendezvousRank(key, this.liveWorkers(runtime).map((w) => w.id), count);
  }

  /** Records blocks a worker confirmed holding (a LoadBlocks reply) before its next heartbeat says so. */
  recordHeld(workerId: string, keys: Iterable<string>, sinceMs = 0): void {
    const rec = this.#workers.get(workerId);
    if (!rec?.live) return;
    // A block the worker stored for this call may already have been evicted and reported removed
    // by a heartbeat that arrived before the reply: recording it now would leave a holder forever.
    const removedAt = this.#removedTimes(rec.id);
    for (const k of keys) {
      const t = removedAt.get(k);
      if (t === undefined || t < sinceMs) this.#addBlock(rec, k);
    }
  }

  /** Records blocks a worker confirmed dropping (a FreeBlocks reply). */
  recordFreed(workerId: string, keys: Iterable<string>): void {
    const rec = this.#workers.get(workerId);
    if (!rec) return;
    for (const k of keys) this.#removeBlock(rec, k);
  }

  #removedTimes(workerId: string): Map<string, number> {
    let m = this.#removedAt.get(workerId);
    if (!m) { m = new Map(); this.#removedAt.set(workerId, m); }
    return m;
  }

  #addBlock(rec: WorkerRecord, key: string): void {
    rec.blocks.add(key);
    const ids = this.#placement.get(key);
    if (ids === undefined) {
      this.#placement.set(key, rec.id);
    } else if (typeof ids === 'string') {
      if (ids !== rec.id) this.#placement.set(key, [ids, rec.id]);
    } else if (!ids.includes(rec.id)) {
      ids.push(rec.id);
    }
  }

  #removeBlock(rec: WorkerRecord, key: string): void {
    rec.blocks.delete(key);
    const ids = this.#placement.get(key);
    if (ids === undefined) return;
    if (typeof ids === 'string') {
      if (ids === rec.id) this.#placement.delete(key);
      return;
    }
    const rest = ids.filter((id) => id !== rec.id);
    if (rest.length === ids.length) return;
    // Back to the bare-id form when one holder is left: the map stays compact as replicas go.
    const [first] = rest;
    if (first === undefined) this.#placement.delete(key);
    else this.#placement.set(key, rest.length === 1 ? first : rest);
  }

  #dropBlocks(rec: WorkerRecord): void {
    for (const k of [...rec.blocks]) this.#removeBlock(rec, k);
  }
}

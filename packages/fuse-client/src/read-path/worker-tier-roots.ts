// The tier directories each worker registered with the master (ListWorkers), by data address: the
// only places a short-circuit read may open a block file. Asked again when a worker is not known
// yet (at most once per `minRefreshMs`) and after `ttlMs`; while the master cannot say, a worker
// has no roots and its blocks are read through the data channel. The same answer names the live
// workers the read path falls back to (each reads a miss through) before giving up; an answer
// naming none (a master that just restarted) keeps the last list, and a reader that found none of
// the listed workers usable asks again sooner (a worker restarted on a new port).
import type { Logger } from '@eddy/core';
import type { MasterRpc, proto } from '@eddy/protocol';

/** Where a local worker keeps its block files (short-circuit.ts asks before opening one). */
export interface TierRoots {
  /** The real paths of the tier directories the worker at `dataAddress` registered; empty when unknown. */
  rootsOf(dataAddress: string): Promise<readonly string[]>;
  /** The same when the last answer is fresh and names the worker, without asking; undefined when rootsOf would ask. */
  rootsNow(dataAddress: string): readonly string[] | undefined;
}

export interface WorkerTierRootsOptions {
  master: Pick<MasterRpc, 'listWorkers'>;
  runtime: string;
  timeoutMs: number;
  logger: Logger;
  /** How long an answer is used. Default 60 s. */
  ttlMs?: number;
  /** Least time between two asks for a worker not in the last answer. Default 2 s. */
  minRefreshMs?: number;
  /** Least time between two asks when a reader found no usable live worker (`liveAddresses({ fresh })`). Default 250 ms. */
  minFreshMs?: number;
}

export class WorkerTierRoots implements TierRoots {
  readonly #o: WorkerTierRootsOptions;
  #roots = new Map<string, string[]>();
  #live: string[] = [];
  #at = -Infinity;
  #pending: Promise<void> | undefined;

  constructor(options: WorkerTierRootsOptions) {
    this.#o = options;
  }

  /**
   * Data addresses of the runtime's live workers (the read path's last read-through sources), as
   * of the last answer. `fresh`: the caller found none of the last answer's workers usable (a
   * worker that restarted is on a new port; the last answer may name only its old one): ask the
   * master again unless it was asked within `minFreshMs`.
   */
  async liveAddresses(options: { fresh?: boolean } = {}): Promise<readonly string[]> {
    const age = Date.now() - this.#at;
    if (age > (this.#o.minRefreshMs ?? 2_000) || (options.fresh === true && age > (this.#o.minFreshMs ?? 250))) await this.#refresh();
    return this.#live;
  }

  async rootsOf(dataAddress: string): Promise<readonly string[]> {
    const age = Date.now() - this.#at;
    const stale = age > (this.#o.ttlMs ?? 60_000);
    if (stale || (!this.#roots.has(dataAddress) && age > (this.#o.minRefreshMs ?? 2_000))) await this.#refresh();
    return this.#roots.get(dataAddress) ?? [];
  }

  rootsNow(dataAddress: string): readonly string[] | undefined {
    return Date.now() - this.#at > (this.#o.ttlMs ?? 60_000) ? undefined : this.#roots.get(dataAddress);
  }

  async #refresh(): Promise<void> {
    this.#pending ??= (async () => {
      try {
        const res = await this.#o.master.listWorkers({ runtime: this.#o.runtime }, { timeoutMs: this.#o.timeoutMs });
        const roots = new Map<string, string[]>();
        const live: string[] = [];
        for (const w of res.workers as proto.WorkerStatus__Output[]) {
          const address = w.address?.dataAddress;
          if (!address) continue;
          roots.set(address, w.tiers.map((t) => t.path).filter((p) => p.startsWith('/')));
          if (w.live) live.push(address);
        }
        this.#roots = roots;
        // A master that names no live worker has usually just restarted and heard no heartbeat
        // yet: the workers it knew before still serve their caches (and authenticate us), so the
        // last list stays the fallback rather than failing every uncached read until they
        // re-register. A dead one among them costs one refused connect and is marked suspect.
        if (live.length > 0 || this.#live.length === 0) this.#live = live;
      } catch (err) {
        this.#o.logger.debug({ err }, 'cannot learn the workers\' tier directories; local blocks go through the data channel');
      } finally {
        this.#at = Date.now();
        this.#pending = undefined;
      }
    })();
    await this.#pending;
  }
}

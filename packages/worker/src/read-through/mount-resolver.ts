// Where a worker learns a dataset's mounts (URLs + driver options) and block size: from the
// master in a cluster, from static configuration when it runs alone.
import { EddyError, NotFoundError } from '@eddy/core';
import { type MasterRpc } from '@eddy/protocol';
import { WORKER_DEFAULTS } from '../config/worker-defaults.js';

export interface ResolvedMount { url: string; path: string; options: Record<string, string> }

export interface DatasetMounts {
  mounts: ResolvedMount[];
  /** The dataset's block size: refs must carry it. Undefined only for standalone mounts configured without one (any size). */
  blockSize: number | undefined;
}

export interface MountResolver {
  getMounts(dataset: string, options?: { signal?: AbortSignal }): Promise<DatasetMounts>;
}

/** Mounts given up front (standalone worker, tests). */
export class StaticMountResolver implements MountResolver {
  readonly #datasets: Record<string, { mounts: ResolvedMount[]; blockSize?: number }>;
  constructor(datasets: Record<string, { mounts: ResolvedMount[]; blockSize?: number }>) {
    this.#datasets = datasets;
  }

  async getMounts(dataset: string): Promise<DatasetMounts> {
    const d = Object.prototype.hasOwnProperty.call(this.#datasets, dataset) ? this.#datasets[dataset] : undefined;
    if (!d) throw new NotFoundError(`dataset ${JSON.stringify(dataset)} is not configured on this worker`);
    return { mounts: d.mounts, blockSize: d.blockSize };
  }
}

type GetMountsClient = Pick<MasterRpc, 'getMounts'>;

/**
 * Asks the master (secrets come back resolved; they are never logged). Given a factory, it opens a
 * fresh client after a connection failure, so a restarted master is reached at once rather than
 * after the old channel's reconnect backoff.
 */
export class MasterMountResolver implements MountResolver {
  readonly #master: GetMountsClient | (() => Pick<MasterRpc, 'getMounts' | 'close'>);
  readonly #timeoutMs: number;
  #client: Pick<MasterRpc, 'getMounts' | 'close'> | undefined;

  constructor(master: GetMountsClient | (() => Pick<MasterRpc, 'getMounts' | 'close'>), options: { timeoutMs?: number } = {}) {
    this.#master = master;
    this.#timeoutMs = options.timeoutMs ?? WORKER_DEFAULTS.masterTimeoutMs;
  }

  async getMounts(dataset: string, options: { signal?: AbortSignal } = {}): Promise<DatasetMounts> {
    const client: GetMountsClient = typeof this.#master === 'function' ? (this.#client ??= this.#master()) : this.#master;
    let res: Awaited<ReturnType<MasterRpc['getMounts']>>;
    try {
      // A worker reads the bucket: it asks for the cloud credentials (handed to the worker role only).
      res = await client.getMounts({ dataset, withCredentials: true }, { ...(options.signal ? { signal: options.signal } : {}), timeoutMs: this.#timeoutMs });
    } catch (err) {
      const connectionLost = err instanceof EddyError && ['UNAVAILABLE', 'UNREACHABLE', 'TIMEOUT'].includes(err.code);
      if (connectionLost && this.#client !== undefined && this.#client === client) this.close();
      throw err;
    }
    return {
      mounts: (res.mounts ?? []).map((m) => ({ url: m.url, path: m.path || '/', options: { ...(m.options ?? {}) } })),
      blockSize: Number(res.blockSize) || WORKER_DEFAULTS.blockSize,
    };
  }

  close(): void {
    this.#client?.close();
    this.#client = undefined;
  }
}

// Where a worker learns a dataset's mounts (URLs + driver options) and block size: from the
// master in a cluster, from static configuration when it runs alone.
import { EddyError, NotFoundError, DEFAULT_BLOCK_SIZE } from '@eddy/core';
import { type MasterRpc } from '@eddy/protocol';

export interface ResolvedMount { url: string; path: string; options: Record<string, string> }

export interface DatasetMounts {
  mounts: ResolvedMount[];
  blockSize: number;
}

export interface MountResolver {
  getMounts(dataset: string, options?: { signal?: AbortSignal }): Promise<DatasetMounts>;
}

/** Mounts given up front (standalone worker, tests). */
export class StaticMountResolver implements MountResolver {
  constructor(private readonly datasets: Record<string, { mounts: ResolvedMount[]; blockSize?: number }>) {}
  async getMounts(dataset: string): Promise<DatasetMounts> {
    const d = Object.prototype.hasOwnProperty.call(this.datasets, dataset) ? this.datasets[dataset] : undefined;
    if (!d) throw new NotFoundError(`dataset ${JSON.stringify(dataset)} is not configured on this worker`);
    return { mounts: d.mounts, blockSize: d.blockSize ?? DEFAULT_BLOCK_SIZE };
  }
}

/**
 * Asks the master (secrets come back resolved; they are never logged). Given a factory, it opens a
 * fresh client after a connection failure, so a restarted master is reached at once rather than
 * after the old channel's reconnect backoff.
 */
export class MasterMountResolver implements MountResolver {
  private client: Pick<MasterRpc, 'getMounts' | 'close'> | undefined;
  constructor(private readonly master: Pick<MasterRpc, 'getMounts'> | (() => Pick<MasterRpc, 'getMounts' | 'close'>)) {}

  async getMounts(dataset: string, options: { signal?: AbortSignal } = {}): Promise<DatasetMounts> {
    const client: Pick<MasterRpc, 'getMounts'> = typeof this.master === 'function' ? (this.client ??= this.master()) : this.master;
    let res: Awaited<ReturnType<MasterRpc['getMounts']>>;
    try {
      res = await client.getMounts({ dataset }, { ...(options.signal ? { signal: options.signal } : {}), timeoutMs: 10_000 });
    } catch (err) {
      if (typeof this.master === 'function' && err instanceof EddyError && ['UNAVAILABLE', 'UNREACHABLE', 'TIMEOUT'].includes(err.code)) {
        if (this.client === client) {
          this.client.close();
          this.client = undefined;
        }
      }
      throw err;
    }
    return {
      mounts: (res.mounts ?? []).map((m) => ({ url: m.url, path: m.path || '/', options: { ...(m.options ?? {}) } })),
      blockSize: Number(res.blockSize) || DEFAULT_BLOCK_SIZE,
    };
  }

  close(): void {
    this.client?.close();
    this.client = undefined;
  }
}

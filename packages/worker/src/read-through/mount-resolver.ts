// Where a worker learns a dataset's mounts (URLs + driver options) and block size: from the
// master in a cluster, from static configuration when it runs alone.
import { NotFoundError, DEFAULT_BLOCK_SIZE, type MasterRpc } from '@eddy/common';

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

/** Asks the master (secrets come back resolved; they are never logged). */
export class MasterMountResolver implements MountResolver {
  constructor(private readonly master: Pick<MasterRpc, 'getMounts'>) {}
  async getMounts(dataset: string, options: { signal?: AbortSignal } = {}): Promise<DatasetMounts> {
    const res = await this.master.getMounts({ dataset }, { ...(options.signal ? { signal: options.signal } : {}), timeoutMs: 10_000 });
    return {
      mounts: (res.mounts ?? []).map((m) => ({ url: m.url, path: m.path || '/', options: { ...(m.options ?? {}) } })),
      blockSize: Number(res.blockSize) || DEFAULT_BLOCK_SIZE,
    };
  }
}

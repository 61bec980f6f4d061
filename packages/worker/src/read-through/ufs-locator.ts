// Maps (dataset, path) to an under file system client and the object key inside it. Mounts are
// cached briefly (a refresh on the master reaches workers within `mountTtlMs`), UFS clients for
// as long as their mount config is unchanged.
import { createHash } from 'node:crypto';
import { silentLogger, type Logger } from '@eddy/core';
import { createUfs, resolveMountPath, type UfsAllowlist, type UnderFileSystem } from '@eddy/ufs';
import { WORKER_DEFAULTS } from '../config/worker-defaults.js';
import type { MountResolver, DatasetMounts } from './mount-resolver.js';

export interface UfsLocation { ufs: UnderFileSystem; ufsPath: string; blockSize: number | undefined }

export interface UfsLocatorOptions {
  resolver: MountResolver;
  logger?: Logger;
  /** How long a dataset's mounts are reused before asking again. Default 30 s. */
  mountTtlMs?: number;
  /** Builds a client for a mount; defaults to `createUfs` (tests wrap it to count requests). */
  ufsFactory?: (config: { url: string; options: Record<string, string> }) => UnderFileSystem;
  /** Where mounts may point; a mount outside is refused with UfsNotAllowedError. Default: anywhere. */
  allow?: UfsAllowlist;
}

export class UfsLocator {
  readonly #resolver: MountResolver;
  readonly #mounts = new Map<string, { at: number; value: Promise<DatasetMounts> }>();
  readonly #clients = new Map<string, UnderFileSystem>();
  readonly #ttl: number;
  readonly #factory: NonNullable<UfsLocatorOptions['ufsFactory']>;

  constructor(options: UfsLocatorOptions) {
    this.#resolver = options.resolver;
    this.#ttl = options.mountTtlMs ?? WORKER_DEFAULTS.mountTtlMs;
    const logger = options.logger ?? silentLogger();
    const allow = options.allow;
    this.#factory = options.ufsFactory ?? ((c) => createUfs(c, { logger, ...(allow ? { allow } : {}) }));
  }

  async locate(dataset: string, path: string, options: { signal?: AbortSignal } = {}): Promise<UfsLocation> {
    const dm = await this.#datasetMounts(dataset, options.signal);
    const { mountIndex, ufsPath } = resolveMountPath(dm.mounts, path);
    const mount = dm.mounts[mountIndex]!;
    // The options hold credentials: the cache key is a hash, never the values.
    const id = createHash('sha256').update(JSON.stringify([mount.url, Object.entries(mount.options).sort()])).digest('hex');
    let ufs = this.#clients.get(id);
    if (!ufs) {
      ufs = this.#factory({ url: mount.url, options: mount.options });
      this.#clients.set(id, ufs);
    }
    return { ufs, ufsPath, blockSize: dm.blockSize };
  }

  async #datasetMounts(dataset: string, signal?: AbortSignal): Promise<DatasetMounts> {
    const hit = this.#mounts.get(dataset);
    if (hit && Date.now() - hit.at < this.#ttl) return await hit.value;
    const value = this.#resolver.getMounts(dataset, signal ? { signal } : {});
    this.#mounts.set(dataset, { at: Date.now(), value });
    value.catch(() => { if (this.#mounts.get(dataset)?.value === value) this.#mounts.delete(dataset); });
    return await value;
  }

  async close(): Promise<void> {
    const all = [...this.#clients.values()];
    this.#clients.clear();
    this.#mounts.clear();
    await Promise.allSettled(all.map((u) => u.close()));
  }
}

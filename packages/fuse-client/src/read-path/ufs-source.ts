// The bucket as the last-resort source: maps a dataset path to its mount and UFS path and issues
// a ranged read of the pinned version: by its versionId in a bucket that keeps versions, and
// always with If-Match on its ETag. One UFS driver per mount, made lazily.
import { createUfs, resolveMountPath, type UfsMountConfig, type UnderFileSystem } from '@eddy/ufs';
import { type Logger } from '@eddy/core';
import type { PinnedVersionId, UfsSource } from './sources.js';

export interface DatasetMount extends UfsMountConfig {
  /** Where the mount appears in the dataset namespace, e.g. `/` or `/models`. */
  path: string;
}

export class MountedUfs implements UfsSource {
  readonly #mounts: DatasetMount[];
  readonly #logger: Logger;
  readonly #drivers = new Map<number, UnderFileSystem>();
  #closed = false;

  constructor(mounts: DatasetMount[], logger: Logger) {
    this.#mounts = mounts;
    this.#logger = logger;
  }

  #driver(index: number): UnderFileSystem {
    let d = this.#drivers.get(index);
    if (!d) {
      const m = this.#mounts[index];
      if (!m) throw new Error(`no mount ${index}`);
      d = createUfs({ url: m.url, options: m.options }, { logger: this.#logger });
      this.#drivers.set(index, d);
    }
    return d;
  }

  async read(path: string, offset: number, length: number, pin: PinnedVersionId, signal?: AbortSignal): Promise<Buffer> {
    if (this.#closed) throw new Error('closed');
    const { mountIndex, ufsPath } = resolveMountPath(this.#mounts, path);
    const byId = pin.versionId === '' ? {} : { versionId: pin.versionId };
    const stream = await this.#driver(mountIndex).read(ufsPath, { offset, length, ifMatch: pin.version, ...byId, signal });
    const parts: Buffer[] = [];
    let n = 0;
    for await (const part of stream) {
      const b = part as Buffer;
      parts.push(b);
      n += b.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, n);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const all = [...this.#drivers.values()];
    this.#drivers.clear();
    await Promise.allSettled(all.map(async (d) => d.close()));
  }
}

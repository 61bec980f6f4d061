// The block keys of the current version of every file of a dataset, computed once per listing
// generation and block size. Status counts CACHED against them (an old copy never counts), and a
// held key outside them is a block of a replaced version, to be freed once nothing retains it
// (BlockRetention: a mount holds that version open, or it was replaced within the grace period).
import { blockCount, blockKey, blockLength } from '@eddy/core';
import type { NamespaceManager } from '../namespace/namespace-manager.js';
import type { BlockRetention } from './block-retention.js';

export interface CurrentBlockSet {
  generation: number;
  blockSize: number;
  /** Block key → block length, for every block of every current-version file. */
  keys: Map<string, number>;
}

export class CurrentBlocks {
  readonly #namespaces: NamespaceManager;
  readonly #blockSizeOf: (dataset: string) => number;
  readonly #retention: BlockRetention;
  readonly #cache = new Map<string, CurrentBlockSet>();

  constructor(namespaces: NamespaceManager, blockSizeOf: (dataset: string) => number, retention: BlockRetention) {
    this.#namespaces = namespaces;
    this.#blockSizeOf = blockSizeOf;
    this.#retention = retention;
  }

  /** The dataset's current blocks; undefined until it has been listed. */
  of(dataset: string): CurrentBlockSet | undefined {
    const ns = this.#namespaces.get(dataset);
    if (!ns?.loaded) return undefined;
    const bs = this.#blockSizeOf(dataset);
    const cached = this.#cache.get(dataset);
    if (cached && cached.generation === ns.generation && cached.blockSize === bs) return cached;
    const keys = new Map<string, number>();
    for (const f of ns.allFiles()) {
      const n = blockCount(f.size, bs);
      for (let i = 0; i < n; i++) keys.set(blockKey(dataset, f.path, f.version, i, bs), blockLength(f.size, bs, i));
    }
    const next = { generation: ns.generation, blockSize: bs, keys };
    this.#cache.set(dataset, next);
    return next;
  }

  /** Forgets the cached set (mounts or the Runtime changed). */
  invalidate(dataset: string): void {
    this.#cache.delete(dataset);
  }

  /**
   * Keys among `keys` to free: no block of a current version, and retained by nothing (see
   * BlockRetention); none until the dataset is listed.
   */
  staleAmong(dataset: string, keys: Iterable<string>): string[] {
    const current = this.of(dataset);
    if (!current) return [];
    const out: string[] = [];
    for (const k of keys) if (!current.keys.has(k)) out.push(k);
    return out.length === 0 ? out : this.#retention.freeable(dataset, out);
  }
}

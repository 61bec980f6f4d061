// Block locations of one open file, fetched from the master in batches and cached for the life
// of the handle; an entry is dropped (and refetched on next use) when a holder failed to serve it.
// Locations are also remembered mount-wide, so a handle opened while the master is down still
// reads cached blocks from the workers that held them instead of going to the bucket.
import { LRUCache } from 'lru-cache';
import type { MasterRpc, proto } from '@eddy/protocol';
import type { PinnedFile } from './sources.js';

export type BlockLocation = proto.BlockLocation__Output;

/** Blocks asked for per GetBlockLocations call: enough that a sequential read rarely waits on it. */
const BATCH_BLOCKS = 64;

/** Mount-wide memory of the last locations the master gave, by (path, version, block index). */
export type RememberedLocations = LRUCache<string, BlockLocation>;

export function rememberedLocations(max = 65_536): RememberedLocations {
  return new LRUCache<string, BlockLocation>({ max });
}

export class LocationCache {
  readonly #master: MasterRpc;
  readonly #file: PinnedFile;
  readonly #known = new Map<number, BlockLocation>();
  readonly #pending = new Map<number, Promise<void>>();
  readonly #timeoutMs: number;
  readonly #remembered: RememberedLocations | undefined;

  constructor(master: MasterRpc, file: PinnedFile, timeoutMs = 10_000, remembered?: RememberedLocations) {
    this.#master = master;
    this.#file = file;
    this.#remembered = remembered;
    this.#timeoutMs = timeoutMs;
  }

  /** Location of block `index`, or undefined when the master cannot say (the caller still has the UFS). */
  async get(index: number, signal?: AbortSignal): Promise<BlockLocation | undefined> {
    const hit = this.#known.get(index);
    if (hit) return hit;
    const batchStart = index - (index % BATCH_BLOCKS);
    let p = this.#pending.get(batchStart);
    if (!p) {
      p = this.#fetch(batchStart, signal).finally(() => this.#pending.delete(batchStart));
      this.#pending.set(batchStart, p);
    }
    try {
      await p;
    } catch {
      // The master cannot answer: the last known holders are worth a try (a failed holder is
      // skipped and the read goes on to the bucket).
      return this.#remembered?.get(this.#memoKey(index));
    }
    return this.#known.get(index);
  }

  #memoKey(index: number): string {
    const f = this.#file;
    return `${f.path}\0${f.version}\0${f.blockSize}\0${index}`;
  }

  invalidate(index: number): void {
    this.#known.delete(index);
  }

  async #fetch(batchStart: number, signal?: AbortSignal): Promise<void> {
    const f = this.#file;
    const offset = batchStart * f.blockSize;
    if (offset >= f.size) return;
    const res = await this.#master.getBlockLocations(
      { dataset: f.dataset, path: f.path, version: f.version, offset, length: Math.min(f.size - offset, BATCH_BLOCKS * f.blockSize) },
      { signal, timeoutMs: this.#timeoutMs },
    );
    for (const b of res.blocks) {
      this.#known.set(b.index, b);
      this.#remembered?.set(this.#memoKey(b.index), b);
    }
  }
}

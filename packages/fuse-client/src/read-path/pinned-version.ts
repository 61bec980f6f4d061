// The version an open handle pinned, as the one object the read path consults for everything
// that depends on it: the block keys (derived from the version) and where the master says those
// blocks are. A handle reads only through its PinnedVersion, so every byte it is served belongs to
// that version; a handle that keeps its PinnedVersion keeps reading that version.
//
// Locations are fetched from the master in batches and kept for the life of the handle; an entry
// is dropped (and refetched on next use) when a holder failed to serve it. They are also
// remembered mount-wide, so a handle opened while the master is down still reads cached blocks
// from the workers that held them instead of going to the bucket. A file whose blocks are all
// small (always streamed) takes them from its directory's listing when it has them (ListedLocator):
// opening it then costs no master round trip.
import { blockKey } from '@eddy/core';
import type { proto } from '@eddy/protocol';
import { LRUCache } from 'lru-cache';
import type { BlockLocator, ListedLocator, PinnedFile } from './sources.js';

export type BlockLocation = proto.BlockLocation__Output;
export type WorkerAddress = proto.WorkerAddress__Output;

/** Where one block of a pinned version is, as far as the master said. */
export interface BlockPlace {
  readonly index: number;
  readonly ref: proto.BlockRef;
  /** Whether the master's answer is about this version (its key is ours); holders count only then. */
  readonly current: boolean;
  /** Workers holding this version of the block (empty when not `current` or unknown). */
  readonly holders: readonly WorkerAddress[];
  /** The worker that should cache the block: it reads through from the bucket on a miss. */
  readonly preferred: WorkerAddress | undefined;
}

/** Mount-wide memory of the last locations the master gave, by (path, version, block size, index). */
export type RememberedLocations = LRUCache<string, BlockLocation>;

export function rememberedLocations(max: number): RememberedLocations {
  return new LRUCache<string, BlockLocation>({ max });
}

/**
 * Mount-wide memory of block keys, by (path, version, block size, index): a key is a SHA-256, and
 * computing it was a tenth of the CPU of opening a warm small file again.
 */
export type RememberedKeys = LRUCache<string, string>;

export function rememberedKeys(max: number): RememberedKeys {
  return new LRUCache<string, string>({ max });
}

export interface PinnedVersionOptions {
  locator: BlockLocator;
  /** Deadline of a GetBlockLocations call. */
  timeoutMs: number;
  /** Blocks asked for per call. */
  batchBlocks: number;
  remembered?: RememberedLocations;
  keys?: RememberedKeys;
  /** Locations from directory listings, used for files whose blocks are all shorter than `smallBlockBytes`. */
  listed?: ListedLocator;
  /** Blocks shorter than this are streamed (MountTunables.shortCircuitMinBytes): any recent location serves them. */
  smallBlockBytes?: number;
}

export class PinnedVersion implements PinnedFile {
  readonly dataset: string;
  readonly path: string;
  readonly size: number;
  readonly version: string;
  readonly versionId: string;
  readonly mtimeMs: number;
  readonly blockSize: number;
  readonly #o: PinnedVersionOptions;
  /** Block refs, memoized: the key is a SHA-256, and every kernel read needs one. */
  readonly #refs = new Map<number, proto.BlockRef>();
  readonly #places = new Map<number, BlockPlace>();
  readonly #pending = new Map<number, Promise<void>>();

  constructor(file: PinnedFile, options: PinnedVersionOptions) {
    this.dataset = file.dataset;
    this.path = file.path;
    this.size = file.size;
    this.version = file.version;
    this.versionId = file.versionId;
    this.mtimeMs = file.mtimeMs;
    this.blockSize = file.blockSize;
    this.#o = options;
  }

  get blockCount(): number { return Math.ceil(this.size / this.blockSize); }

  ref(index: number): proto.BlockRef {
    let ref = this.#refs.get(index);
    if (!ref) {
      const keys = this.#o.keys;
      const memo = keys ? this.#memoKey(index) : '';
      let key = keys?.get(memo);
      if (key === undefined) {
        key = blockKey(this.dataset, this.path, this.version, index, this.blockSize);
        keys?.set(memo, key);
      }
      ref = {
        key,
        dataset: this.dataset, path: this.path, version: this.version, index,
        blockSize: this.blockSize, fileSize: this.size, versionId: this.versionId,
      };
      this.#refs.set(index, ref);
    }
    return ref;
  }

  /** Where block `index` is; with no holders when the master cannot say (the caller still has the bucket). */
  async place(index: number, signal?: AbortSignal): Promise<BlockPlace> {
    const hit = this.#places.get(index);
    if (hit) return hit;
    const batchStart = index - (index % this.#o.batchBlocks);
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
      return this.#toPlace(index, this.#o.remembered?.get(this.#memoKey(index)));
    }
    return this.#places.get(index) ?? this.#toPlace(index, undefined);
  }

  /**
   * Where block `index` is when that is known without waiting: asked before, or (the first block of
   * a file of small blocks) in a recent listing. Undefined when place() would wait.
   */
  placeNow(index: number): BlockPlace | undefined {
    const hit = this.#places.get(index);
    if (hit || index !== 0 || !this.#o.listed || !this.#allBlocksSmall()) return hit;
    return this.#seed(this.#o.listed.peek(this.path)) ? this.#places.get(0) : undefined;
  }

  /** Forgets block `index`'s location: a holder failed to serve it. */
  invalidate(index: number): void {
    this.#places.delete(index);
  }

  #toPlace(index: number, loc: BlockLocation | undefined): BlockPlace {
    const ref = this.ref(index);
    const current = loc !== undefined && loc.key === ref.key;
    return { index, ref, current, holders: current ? loc.holders : [], preferred: loc?.preferred ?? undefined };
  }

  #memoKey(index: number): string {
    return `${this.path}\0${this.version}\0${this.blockSize}\0${index}`;
  }

  async #fetch(batchStart: number, signal?: AbortSignal): Promise<void> {
    const offset = batchStart * this.blockSize;
    if (offset >= this.size) return;
    if (batchStart === 0 && this.#o.listed && this.#allBlocksSmall() && this.#seed(await this.#o.listed.locate(this.path))) return;
    const res = await this.#o.locator.getBlockLocations(
      {
        dataset: this.dataset, path: this.path, version: this.version, offset,
        length: Math.min(this.size - offset, this.#o.batchBlocks * this.blockSize),
        // Locates this version also once it is no longer current (the master keeps it while we hold it).
        size: this.size,
      },
      { signal, timeoutMs: this.#o.timeoutMs },
    );
    for (const b of res.blocks) this.#learn(b);
  }

  #learn(b: BlockLocation): void {
    this.#places.set(b.index, this.#toPlace(b.index, b));
    this.#o.remembered?.set(this.#memoKey(b.index), b);
  }

  #allBlocksSmall(): boolean {
    const longest = this.blockCount > 1 ? this.blockSize : this.size;
    return longest < (this.#o.smallBlockBytes ?? 0);
  }

  /** Takes listed locations when they cover every block of this version (their keys are ours); false otherwise. */
  #seed(listed: readonly BlockLocation[] | undefined): boolean {
    if (!listed) return false;
    // A file of one block (every small file): no map to build.
    if (this.blockCount === 1) {
      const b = listed.find((l) => l.index === 0);
      if (b === undefined || b.key !== this.ref(0).key) return false;
      this.#learn(b);
      return true;
    }
    const byIndex = new Map(listed.map((b) => [b.index, b]));
    for (let i = 0; i < this.blockCount; i++) if (byIndex.get(i)?.key !== this.ref(i).key) return false;
    for (let i = 0; i < this.blockCount; i++) this.#learn(byIndex.get(i)!);
    return true;
  }
}

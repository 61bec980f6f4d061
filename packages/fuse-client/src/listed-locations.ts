// Block locations that arrive with directory listings (List with locate_blocks): where the first
// blocks of every file of a listed directory are. An open of a small file in a directory the mount
// has listed then needs no GetBlockLocations of its own; when those locations have grown old, the
// first open in the directory asks them again for the whole directory in one List call, shared by
// the opens that wait for it.
//
// Only small blocks are served from here (PinnedVersion decides): they are always streamed, so all
// a reader needs is a worker to ask, and a location a few seconds old names one as well as a fresh
// one (a holder that lost the block answers NOT_FOUND and the next candidate reads it through).
// Locations carry the block key, which carries the version: a file replaced since the listing
// simply finds no location of its own here.
import { posix } from 'node:path';
import { LRUCache } from 'lru-cache';
import type { MasterRpc, proto } from '@eddy/protocol';

type BlockLocation = proto.BlockLocation__Output;

export interface ListedLocationsOptions {
  master: Pick<MasterRpc, 'list'>;
  dataset: string;
  /** Blocks per file a List asks locations of. */
  locateBlocks: number;
  /** How long locations from a listing are used; an older entry is asked again, for its whole directory. */
  maxAgeMs: number;
  /** Files whose locations are kept. */
  maxEntries: number;
  listPageSize: number;
  masterTimeoutMs: number;
  /** Entries of the cached listing of `dir`, if any: a directory is asked again only when it fits one List page. */
  dirSize(dir: string): number | undefined;
}

interface Located {
  blocks: readonly BlockLocation[];
  at: number;
}

export class ListedLocations {
  readonly #o: ListedLocationsOptions;
  readonly #byPath: LRUCache<string, Located>;
  readonly #inflight = new Map<string, Promise<void>>();
  /** The master answered a List that asked for locations without any (it predates them): stop asking it again. */
  #unsupported = false;
  /** Directory relistings made for locations, for tests and diagnostics. */
  readonly calls = { relist: 0 };

  constructor(options: ListedLocationsOptions) {
    this.#o = options;
    this.#byPath = new LRUCache<string, Located>({ max: options.maxEntries });
  }

  /** What a List call should ask for. */
  get locateBlocks(): number { return this.#o.locateBlocks; }

  /** Keeps the locations of a List reply (a page of any directory) that asked for them. */
  remember(res: Pick<proto.ListResponse__Output, 'entries' | 'located'>, at = Date.now()): void {
    if (res.located.length === 0 && res.entries.some((e) => !e.isDir)) this.#unsupported = true;
    for (const f of res.located) this.#byPath.set(f.path, { blocks: f.blocks, at });
  }

  /**
   * Locations of the first blocks of `path` no older than maxAgeMs; asks them again for its whole
   * directory when they are older or missing and the directory fits one page. Undefined when there
   * are none (the caller asks GetBlockLocations); rejects when the master cannot answer.
   */
  async locate(path: string): Promise<readonly BlockLocation[] | undefined> {
    const fresh = this.#fresh(path);
    if (fresh || this.#unsupported) return fresh;
    const dir = posix.dirname(path);
    const entries = this.#o.dirSize(dir);
    if (entries === undefined || entries > this.#o.listPageSize) return undefined;
    let p = this.#inflight.get(dir);
    if (!p) {
      // Not tied to one opener's signal: the opens of the directory share it (it has a deadline).
      p = this.#relist(dir).finally(() => this.#inflight.delete(dir));
      this.#inflight.set(dir, p);
    }
    await p;
    return this.#fresh(path);
  }

  /** Recent locations of `path` if this mount has them, without asking the master. */
  peek(path: string): readonly BlockLocation[] | undefined {
    return this.#fresh(path);
  }

  #fresh(path: string): readonly BlockLocation[] | undefined {
    const hit = this.#byPath.get(path);
    return hit && Date.now() - hit.at <= this.#o.maxAgeMs ? hit.blocks : undefined;
  }

  async #relist(dir: string): Promise<void> {
    const { master, dataset, listPageSize, masterTimeoutMs, locateBlocks } = this.#o;
    this.calls.relist++;
    const at = Date.now();
    const res = await master.list(
      { dataset, path: dir, pageToken: '', pageSize: listPageSize, locateBlocks }, { timeoutMs: masterTimeoutMs },
    );
    this.remember(res, at);
  }
}

// The dataset's namespace as the master serves it, through the user-space caches: attributes,
// directory listings (paged), and the workers' capacity for statfs. Concurrent asks for the same
// path share one master call.
//
// Metadata comes per directory where it can: an attribute that expired in a directory this mount
// has listed (one page at most) is refreshed by listing that directory again, one call for all its
// files, instead of a Stat per file; the listing also carries the files' block locations
// (ListedLocations), so opening the small files of a listed directory asks the master nothing.
// A directory being read also brings the directories below it, whole, up to listSubtreeEntries
// entries (ListRequest.subtree_entries): a find or a loader walking the tree makes one List, not
// one per directory, each of which waited on the master in turn.
import { posix } from 'node:path';
import { LRUCache } from 'lru-cache';
import pLimit from 'p-limit';
import { NotFoundError } from '@eddy/core';
import type { MasterRpc, proto } from '@eddy/protocol';
import { NotADirectoryError } from './fuse-errors.js';
import type { ListedLocations } from './listed-locations.js';
import type { DirListing, FileAttr, MetadataCache } from './metadata-cache.js';

export interface MasterMetadataOptions {
  master: Pick<MasterRpc, 'stat' | 'list' | 'listWorkers'>;
  dataset: string;
  runtime: string;
  cache: MetadataCache;
  masterTimeoutMs: number;
  listPageSize: number;
  /** Entries of the directories below a directory read that its List brings too (0: none). */
  listSubtreeEntries: number;
  statfsCacheMs: number;
  prefetchSubdirs: number;
  prefetchSubdirConcurrency: number;
  /** Keeps the block locations listings carry (and says how many blocks per file to ask). */
  located?: ListedLocations;
}

/** Cache capacity and usage of the dataset's live workers, in bytes. */
export interface Capacity { quotaBytes: number; usedBytes: number }

/** Directories whose sizes are remembered (a number each). */
const LISTED_DIRS = 10_000;

export class MasterMetadata {
  readonly #o: MasterMetadataOptions;
  readonly #inflightStat = new Map<string, Promise<FileAttr>>();
  readonly #inflightList = new Map<string, Promise<DirListing>>();
  readonly #prefetchLimit: ReturnType<typeof pLimit>;
  /** Directories listed from the master, with their entry count: those of one page are listed again rather than stat'ed file by file. */
  readonly #listedSizes: LRUCache<string, number>;
  readonly #mountedAt = Date.now();
  #capacity: { at: number; value: Capacity } | undefined;
  /** Master calls made, for tests and diagnostics. */
  readonly calls = { stat: 0, list: 0, listWorkers: 0 };

  constructor(options: MasterMetadataOptions) {
    this.#o = options;
    this.#prefetchLimit = pLimit(options.prefetchSubdirConcurrency);
    this.#listedSizes = new LRUCache<string, number>({ max: LISTED_DIRS });
  }

  /** What lookup() would answer without waiting: the root, or a cached attribute; undefined otherwise. */
  lookupNow(path: string): FileAttr | undefined {
    if (path === '/') return { path: '/', isDir: true, size: 0, version: '', versionId: '', mtimeMs: this.#mountedAt };
    return this.#o.cache.getAttr(path);
  }

  async lookup(path: string): Promise<FileAttr> {
    const hit = this.lookupNow(path);
    if (hit) return hit;
    const { cache } = this.#o;
    if (cache.isNegative(path)) throw new NotFoundError(path);
    // A name missing from a fresh listing of its parent needs no round trip.
    const parent = cache.getListing(posix.dirname(path));
    if (parent && !parent.nameSet.has(posix.basename(path))) {
      cache.setNegative(path);
      throw new NotFoundError(path);
    }
    const dir = posix.dirname(path);
    if (this.#relistable(dir)) return await this.#fromListing(dir, path);
    let p = this.#inflightStat.get(path);
    if (!p) {
      p = this.#statFromMaster(path).finally(() => this.#inflightStat.delete(path));
      this.#inflightStat.set(path, p);
    }
    return await p;
  }

  async listDir(path: string): Promise<DirListing> {
    const dir = await this.lookup(path);
    if (!dir.isDir) throw new NotADirectoryError(path);
    return this.#o.cache.getListing(path) ?? await this.#listShared(path, this.#o.listSubtreeEntries);
  }

  /** Whether `dir` was listed before and fits one page, so that listing it again is one call. */
  #relistable(dir: string): boolean {
    const { cache, listPageSize } = this.#o;
    const n = this.#listedSizes.get(dir);
    return cache.cachesAttrs && cache.cachesListings && n !== undefined && n <= listPageSize;
  }

  /** `path`'s attributes from a new listing of its directory `dir` (shared with other lookups there). */
  async #fromListing(dir: string, path: string): Promise<FileAttr> {
    const listing = await this.#listShared(dir);
    const i = listing.names.indexOf(posix.basename(path));
    if (i >= 0) return listing.attrs[i]!;
    this.#o.cache.setNegative(path);
    throw new NotFoundError(path);
  }

  /** Lists `path` (and, on the first page, up to `subtreeEntries` entries below it), sharing a call in flight. */
  async #listShared(path: string, subtreeEntries = 0): Promise<DirListing> {
    let p = this.#inflightList.get(path);
    if (!p) {
      p = this.#listFromMaster(path, subtreeEntries).finally(() => this.#inflightList.delete(path));
      this.#inflightList.set(path, p);
    }
    return await p;
  }

  /**
   * A directory that was just read is usually walked next (find, ls -R, a loader scanning its
   * shards): its subdirectories are listed now, a few at a time, so each lookup and readdir of
   * the walk finds its answer cached instead of waiting for a master round trip in turn.
   * Pointless when listings are not cached (entry_timeout=0).
   */
  prefetchSubdirs(listing: DirListing): void {
    if (!this.#o.cache.cachesListings) return;
    let queued = 0;
    for (const a of listing.attrs) {
      if (!a.isDir || this.#o.cache.getListing(a.path) || this.#inflightList.has(a.path)) continue;
      if (++queued > this.#o.prefetchSubdirs) break;
      // Without a subtree of its own: what the directory read brought is already cached.
      void this.#prefetchLimit(async () => await this.#listShared(a.path)).catch(() => undefined);
    }
  }

  /** What the live workers of the runtime hold and may hold (reused for statfsCacheMs). */
  async capacity(): Promise<Capacity> {
    const now = Date.now();
    if (this.#capacity && now - this.#capacity.at < this.#o.statfsCacheMs) return this.#capacity.value;
    this.calls.listWorkers++;
    const res = await this.#o.master.listWorkers({ runtime: this.#o.runtime }, { timeoutMs: this.#o.masterTimeoutMs });
    const value: Capacity = { quotaBytes: 0, usedBytes: 0 };
    for (const w of res.workers as proto.WorkerStatus__Output[]) {
      if (!w.live) continue;
      for (const t of w.tiers) {
        value.quotaBytes += Number(t.quotaBytes);
        value.usedBytes += Math.min(Number(t.usedBytes), Number(t.quotaBytes));
      }
    }
    this.#capacity = { at: now, value };
    return value;
  }

  async #statFromMaster(path: string): Promise<FileAttr> {
    const { master, dataset, cache } = this.#o;
    this.calls.stat++;
    try {
      const res = await master.stat({ dataset, path }, { timeoutMs: this.#o.masterTimeoutMs });
      if (!res.info) throw new NotFoundError(path);
      const attr = toAttr(res.info, path);
      cache.setAttr(attr);
      return attr;
    } catch (err) {
      if (err instanceof NotFoundError) cache.setNegative(path);
      throw err;
    }
  }

  async #listFromMaster(path: string, subtreeEntries: number): Promise<DirListing> {
    const { master, dataset, located } = this.#o;
    const locateBlocks = located?.locateBlocks ?? 0;
    const names: string[] = [];
    const attrs: FileAttr[] = [];
    const seen = new Set<string>();
    let pageToken = '';
    // Large directories arrive in pages; one giant reply could exceed the RPC message limit.
    do {
      this.calls.list++;
      const at = Date.now();
      const res = await master.list(
        { dataset, path, pageToken, pageSize: this.#o.listPageSize, locateBlocks, subtreeEntries: pageToken === '' ? subtreeEntries : 0 },
        { timeoutMs: this.#o.masterTimeoutMs },
      );
      located?.remember(res, at);
      this.#addPage(path, res.entries, names, attrs, seen);
      for (const sub of res.subdirs) this.#cacheSubdir(path, sub, at);
      pageToken = res.nextPageToken;
    } while (pageToken !== '');
    return this.#cacheListing(path, { names, nameSet: seen, attrs });
  }

  /** Appends the entries of one page of directory `path` (a name seen before is skipped). */
  #addPage(path: string, entries: readonly proto.FileInfo__Output[], names: string[], attrs: FileAttr[], seen: Set<string>): void {
    for (const e of entries) {
      const name = posix.basename(e.path.replace(/\/+$/, ''));
      if (name === '' || seen.has(name)) continue;
      seen.add(name);
      names.push(name);
      attrs.push(toAttr(e, posix.join(path, name)));
    }
  }

  /** Caches a whole directory below `parent` that a List brought; a path outside `parent` is ignored. */
  #cacheSubdir(parent: string, sub: proto.ListedDir__Output, at: number): void {
    const dir = posix.normalize(sub.path);
    if (dir !== sub.path || !dir.startsWith(parent === '/' ? '/' : `${parent}/`) || dir.length <= parent.length + 1) return;
    const names: string[] = [];
    const attrs: FileAttr[] = [];
    const seen = new Set<string>();
    this.#addPage(dir, sub.entries, names, attrs, seen);
    this.#o.located?.remember({ entries: sub.entries, located: sub.located }, at);
    this.#cacheListing(dir, { names, nameSet: seen, attrs });
  }

  #cacheListing(path: string, listing: DirListing): DirListing {
    this.#o.cache.setListing(path, listing);
    this.#listedSizes.set(path, listing.names.length);
    return listing;
  }
}

function toAttr(info: proto.FileInfo__Output, path: string): FileAttr {
  return {
    path, isDir: info.isDir, size: Number(info.size), version: info.version, versionId: info.versionId, mtimeMs: Number(info.mtimeMs),
  };
}

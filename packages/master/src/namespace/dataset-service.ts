// Datasets as the master serves them: mounts resolved from the applied manifests (Secrets
// substituted), listings kept by NamespaceManager, Stat/List, block locations with live holders
// and the preferred worker, and the view a DataLoad run needs (DataLoadDatasets).
import { DEFAULT_BLOCK_SIZE, NotFoundError, ValidationError, VersionMismatchError, blockKey, blockLength, blockSlices } from '@eddy/core';
import type { DatasetManifest } from '@eddy/manifest';
import type { proto } from '@eddy/protocol';
import type { DataLoadDatasets, DataLoadFile, StaleBlock } from '../dataload/dataload-context.js';
import type { ManifestStore } from '../manifests/manifest-store.js';
import { wireAddress, type WorkerRecord, type WorkerRegistry } from '../placement/worker-registry.js';
import type { CurrentBlocks } from '../status/current-blocks.js';
import { normalizeDatasetPath, type DirEntryInfo } from './dataset-namespace.js';
import type { NamespaceManager } from './namespace-manager.js';

export interface DatasetServiceParts {
  manifests: ManifestStore;
  namespaces: NamespaceManager;
  registry: WorkerRegistry;
  currentBlocks: CurrentBlocks;
}

/** Blocks per file a List locates at most: a page of 1000 files stays a small reply. */
const MAX_LISTED_BLOCKS = 4;
/** Entries a List's subtree (ListRequest.subtree_entries) carries at most: with locations, ~3 MB. */
export const MAX_SUBTREE_ENTRIES = 10_000;

function fileInfo(e: DirEntryInfo): proto.FileInfo {
  return { path: e.path, size: e.size, version: e.version, mtimeMs: e.mtimeMs, isDir: e.isDir, versionId: e.versionId ?? '' };
}

/** wireAddress, once per worker for one request: the blocks of a listing mostly share their holders. */
function addressesOnce(): (w: WorkerRecord) => proto.WorkerAddress {
  const memo = new Map<WorkerRecord, proto.WorkerAddress>();
  return (w) => {
    let a = memo.get(w);
    if (!a) memo.set(w, (a = wireAddress(w)));
    return a;
  };
}

/** Settles after `promise` or after `signal` aborts, whichever is first; never leaves a listener. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export class DatasetService implements DataLoadDatasets {
  readonly #p: DatasetServiceParts;
  /** Why a dataset's mounts could not be resolved (e.g. a missing Secret); cleared on success. */
  readonly #mountErrors = new Map<string, string>();

  constructor(parts: DatasetServiceParts) {
    this.#p = parts;
  }

  /**
   * Creates/updates the namespace of a dataset from its manifest (Secrets resolved) and, with
   * `refresh`, lists it; the returned promise settles when that listing does (never rejects).
   */
  sync(ds: DatasetManifest, refresh: boolean): Promise<void> {
    const { namespaces, manifests, currentBlocks } = this.#p;
    const name = ds.metadata.name;
    let mounts;
    try {
      mounts = manifests.resolveMounts(ds);
      this.#mountErrors.delete(name);
    } catch (err) {
      this.#mountErrors.set(name, (err as Error).message);
      // Keep the last good mounts and listing (if any) rather than an empty one.
      if (!namespaces.get(name)) namespaces.ensure(name, []);
      return Promise.resolve();
    }
    namespaces.ensure(name, mounts);
    currentBlocks.invalidate(name);
    if (!refresh) return Promise.resolve();
    // A failure shows as phase Failed with its reason.
    return namespaces.refresh(name).then(() => undefined, () => undefined);
  }

  /** The dataset was deleted. */
  forget(name: string): void {
    this.#p.namespaces.remove(name);
    this.#p.currentBlocks.invalidate(name);
    this.#mountErrors.delete(name);
  }

  /** Why the dataset's mounts cannot be resolved, if they cannot. */
  mountError(name: string): string | undefined {
    return this.#mountErrors.get(name);
  }

  blockSize(dataset: string): number {
    return this.#p.manifests.runtime(dataset)?.spec.blockSize ?? DEFAULT_BLOCK_SIZE;
  }

  async stat(dataset: string, path: string): Promise<proto.FileInfo> {
    this.#require(dataset);
    return fileInfo(await this.#p.namespaces.lookup(dataset, path || '/'));
  }

  /**
   * One page of directory `path`; with `locateBlocks` > 0 also where the first that many blocks of
   * each file are (capped at MAX_LISTED_BLOCKS), so a client opens the files of a directory it
   * listed without a GetBlockLocations per file. With `subtreeEntries` > 0, the first page also
   * carries the directories below `path` (subtreeOf).
   */
  async list(dataset: string, path: string, pageToken: string, pageSize: number, locateBlocks = 0, subtreeEntries = 0): Promise<proto.ListResponse> {
    this.#require(dataset);
    const info = await this.#p.namespaces.lookup(dataset, path || '/');
    if (!info.isDir) throw new ValidationError(`${info.path} is a file, not a directory`, 'path');
    const ns = this.#p.namespaces.require(dataset);
    const page = ns.list(info.path, pageToken, pageSize);
    const res: proto.ListResponse = { entries: page.entries.map(fileInfo), nextPageToken: page.nextPageToken };
    const locate = this.#locateFiles(dataset, locateBlocks);
    if (locate) {
      res.blockSize = this.blockSize(dataset);
      res.located = locate(page.entries);
    }
    if (subtreeEntries > 0 && pageToken === '') res.subdirs = this.#subtreeOf(ns, page.entries, Math.min(subtreeEntries, MAX_SUBTREE_ENTRIES), locate);
    return res;
  }

  /**
   * The directories below the listed `entries`, breadth first, each one whole (a directory larger
   * than what is left of `budget` entries is left out with everything below it: the client lists
   * it when it gets there), all read from the same snapshot as the page.
   */
  #subtreeOf(
    ns: ReturnType<NamespaceManager['require']>, entries: readonly DirEntryInfo[], budget: number,
    locate: ((files: readonly DirEntryInfo[]) => proto.ListedBlocks[]) | undefined,
  ): proto.ListedDir[] {
    const out: proto.ListedDir[] = [];
    const queue = entries.filter((e) => e.isDir).map((e) => e.path);
    let left = budget;
    for (let i = 0; i < queue.length && left > 0; i++) {
      const dir = queue[i]!;
      const sub = ns.list(dir, '', left);
      if (sub.nextPageToken !== '') continue;
      left -= sub.entries.length;
      out.push({ path: dir, entries: sub.entries.map(fileInfo), ...(locate ? { located: locate(sub.entries) } : {}) });
      for (const e of sub.entries) if (e.isDir) queue.push(e.path);
    }
    return out;
  }

  /** Locates the first `locateBlocks` blocks of each file of a listing, or undefined when not asked. */
  #locateFiles(dataset: string, locateBlocks: number): ((files: readonly DirEntryInfo[]) => proto.ListedBlocks[]) | undefined {
    if (locateBlocks <= 0) return undefined;
    const bs = this.blockSize(dataset);
    const live = this.#p.registry.liveWorkers(dataset);
    const n = Math.min(locateBlocks, MAX_LISTED_BLOCKS);
    const address = addressesOnce();
    return (files) => files.filter((e) => !e.isDir).map((e) => {
      const count = Math.min(n, Math.ceil(e.size / bs));
      return { path: e.path, blocks: this.#locate(dataset, e, bs, Array.from({ length: count }, (_, i) => i), live, address) };
    });
  }

  async getBlockLocations(req: proto.GetBlockLocationsRequest__Output): Promise<proto.GetBlockLocationsResponse> {
    this.#require(req.dataset);
    const info = await this.#pinnedVersion(req);
    const bs = this.blockSize(req.dataset);
    const offset = Number(req.offset);
    const length = Number(req.length) === 0 ? Math.max(0, info.size - offset) : Number(req.length);
    const indexes = new Set(blockSlices(offset, length, info.size, bs).map((s) => s.index));
    // Live workers once per request, not once per block (sorting them is most of a block's cost).
    const live = this.#p.registry.liveWorkers(req.dataset);
    return { info: fileInfo(info), blockSize: bs, blocks: this.#locate(req.dataset, info, bs, indexes, live) };
  }

  /**
   * Holders and preferred worker of blocks `indexes` of version `info` (`live`: the dataset's live
   * workers; `address`: their wire addresses, which the blocks of one request may share).
   */
  #locate(
    dataset: string, info: DirEntryInfo, bs: number, indexes: Iterable<number>, live: readonly WorkerRecord[],
    address: (w: WorkerRecord) => proto.WorkerAddress = wireAddress,
  ): proto.BlockLocation[] {
    const { registry } = this.#p;
    const blocks: proto.BlockLocation[] = [];
    for (const index of indexes) {
      const key = blockKey(dataset, info.path, info.version, index, bs);
      // The only live worker is every key's consistent-hash choice: no hashing (most of a listed block's cost).
      const preferred = live.length > 1 ? registry.preferredAmong(key, live) : live[0];
      blocks.push({
        index, key, length: blockLength(info.size, bs, index),
        holders: registry.holders(key).map(address),
        ...(preferred ? { preferred: address(preferred) } : {}),
      });
    }
    return blocks;
  }

  /**
   * The version a GetBlockLocations asks about. A handle reads the version it opened to its end, so
   * one that is no longer current (or whose object is gone) is still located, by the size the
   * handle gives: its blocks stay cached while a mount holds it (BlockRetention), and a worker asked
   * to read one through fetches that version or fails; it never serves another.
   */
  async #pinnedVersion(req: proto.GetBlockLocationsRequest__Output): Promise<DirEntryInfo> {
    const size = Number(req.size);
    let info: DirEntryInfo | undefined;
    try {
      info = await this.#p.namespaces.lookup(req.dataset, req.path);
    } catch (err) {
      if (!(err instanceof NotFoundError) || !req.version || size <= 0) throw err;
    }
    if (info?.isDir) throw new ValidationError(`${info.path} is a directory`, 'path');
    if (info && (!req.version || req.version === info.version)) return info;
    if (size <= 0) throw new VersionMismatchError(`${req.path} changed: version ${req.version} is no longer current`);
    return { path: info?.path ?? normalizeDatasetPath(req.path), size, version: req.version, mtimeMs: 0, isDir: false };
  }

  /**
   * The dataset's mounts; with `withSecrets` their Secret values substituted (for workers, and
   * clients granted direct bucket reads; never logged), else the plain options only.
   */
  getMounts(dataset: string, withSecrets: boolean): proto.GetMountsResponse {
    const ds = this.#require(dataset);
    const mounts = this.#p.manifests.resolveMounts(ds, withSecrets);
    const runtime = this.#p.manifests.runtime(dataset);
    return {
      mounts: mounts.map((m) => ({ url: m.url, path: m.path, options: m.options })),
      runtime: runtime ? dataset : '',
      blockSize: this.blockSize(dataset),
      accessMode: ds.spec.accessMode,
      fuseArgs: runtime?.spec.fuse.args ?? [],
      credentialsWithheld: !withSecrets && ds.spec.mounts.some((m) => m.encryptOptions.length > 0),
    };
  }

  /**
   * The Refresh RPC: lists the dataset now (with `reuseRecent`, a listing younger than the on-demand
   * interval answers instead); a mount that cannot be resolved is NotFound.
   */
  async refreshCounts(dataset: string, options: { reuseRecent?: boolean } = {}): Promise<{ files: number; bytes: number }> {
    const ds = this.#require(dataset);
    if (this.#mountErrors.has(dataset)) await this.sync(ds, false);
    const err = this.#mountErrors.get(dataset);
    if (err) throw new NotFoundError(err);
    return options.reuseRecent ? await this.#p.namespaces.refreshUnlessRecent(dataset) : await this.#p.namespaces.refresh(dataset);
  }

  // ---- DataLoadDatasets ----

  async refresh(dataset: string, options: { signal: AbortSignal }): Promise<void> {
    this.#require(dataset);
    // The listing is shared with other callers, so an abort stops waiting rather than listing.
    await untilAborted(this.#p.namespaces.refresh(dataset), options.signal);
  }

  async listFiles(dataset: string, targetPath: string): Promise<DataLoadFile[]> {
    this.#require(dataset);
    const ns = await this.#p.namespaces.loaded(dataset);
    const files = ns.filesUnder(targetPath);
    if (files.length === 0 && !ns.stat(targetPath)) throw new NotFoundError(`no such file or directory ${targetPath} in dataset ${dataset}`);
    return files.map((f) => ({ path: f.path, size: f.size, version: f.version, ...(f.versionId ? { versionId: f.versionId } : {}) }));
  }

  layout(dataset: string): { runtime: string; blockSize: number } {
    if (!this.#p.manifests.runtime(dataset)) {
      throw new NotFoundError(`dataset ${dataset} has no Runtime (apply a JindoRuntime or AlluxioRuntime named ${dataset})`);
    }
    return { runtime: dataset, blockSize: this.blockSize(dataset) };
  }

  staleBlocks(dataset: string): StaleBlock[] {
    const current = this.#p.currentBlocks.of(dataset);
    if (!current) return [];
    const byKey = new Map<string, string[]>();
    for (const w of this.#p.registry.liveWorkers(dataset)) {
      for (const k of w.blocks) {
        if (current.keys.has(k)) continue;
        const ids = byKey.get(k);
        if (ids) ids.push(w.id);
        else byKey.set(k, [w.id]);
      }
    }
    // Blocks of versions a mount still reads, or replaced within the grace period, stay.
    return this.#p.currentBlocks.staleAmong(dataset, byKey.keys()).map((key) => ({ key, workerIds: byKey.get(key) ?? [] }));
  }

  #require(name: string): DatasetManifest {
    const ds = this.#p.manifests.dataset(name);
    if (!ds) throw new NotFoundError(`dataset ${JSON.stringify(name)} does not exist`);
    return ds;
  }
}

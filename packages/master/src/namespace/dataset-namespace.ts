// The in-memory listing of one dataset: every object of every mount, keyed by its path inside
// the dataset namespace, with directories derived from the paths. Stat and List are served from
// memory; the listing is rebuilt by `refresh()` (coalesced: concurrent callers share one run).
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { EddyError, NotFoundError, UnavailableError, ValidationError } from '@eddy/core';
import { type UfsMountConfig, type UnderFileSystem } from '@eddy/ufs';
import { MASTER_DEFAULTS } from '../master-options.js';

export interface NamespaceMount extends UfsMountConfig {
  /** Where the mount appears in the dataset namespace ('/' by default). */
  path: string;
}

export interface FileEntry {
  /** Path inside the dataset, '/'-separated with a leading slash. */
  path: string;
  size: number;
  version: string;
  mtimeMs: number;
  /** The store's id of this version in a bucket that keeps versions (absent otherwise). */
  versionId?: string;
}

export interface DirEntryInfo {
  path: string;
  size: number;
  version: string;
  mtimeMs: number;
  isDir: boolean;
  versionId?: string;
}

export type UfsFactory = (config: UfsMountConfig, opts: { logger: Logger }) => UnderFileSystem;

export interface DatasetNamespaceOptions {
  dataset: string;
  mounts: NamespaceMount[];
  createUfs: UfsFactory;
  logger: Logger;
  /** Mounts listed at once (MASTER_DEFAULTS.listConcurrency). */
  listConcurrency?: number | undefined;
  /** Deadline of one full refresh (MASTER_DEFAULTS.listingTimeoutMs). */
  refreshTimeoutMs?: number | undefined;
}

export const DEFAULT_PAGE_SIZE = 1000;
export const MAX_PAGE_SIZE = 10_000;

/** '/a//b/' → '/a/b'; '' → '/'. Rejects '.' and '..' segments. */
export function normalizeDatasetPath(p: string): string {
  const parts = p.split('/').filter((s) => s !== '');
  for (const s of parts) if (s === '.' || s === '..') throw new ValidationError(`path ${JSON.stringify(p)} must not contain '.' or '..' segments`, 'path');
  return `/${parts.join('/')}`;
}

function joinPath(base: string, rel: string): string {
  return normalizeDatasetPath(`${base}/${rel}`);
}

function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Snapshot {
  files: Map<string, FileEntry>;
  /** Directory path → sorted child names; directories are derived from file paths. */
  dirs: Map<string, string[]>;
  totalBytes: number;
}

function buildSnapshot(files: Map<string, FileEntry>): Snapshot {
  const childSets = new Map<string, Set<string>>([['/', new Set()]]);
  let totalBytes = 0;
  for (const f of files.values()) {
    totalBytes += f.size;
    let child = f.path;
    let parent = parentOf(child);
    for (;;) {
      let set = childSets.get(parent);
      const isNew = !set;
      if (!set) { set = new Set(); childSets.set(parent, set); }
      set.add(child.slice(child.lastIndexOf('/') + 1));
      // Once a directory already existed, its ancestors are already linked.
      if (!isNew || parent === '/') break;
      child = parent;
      parent = parentOf(child);
    }
  }
  const dirs = new Map<string, string[]>();
  for (const [d, set] of childSets) dirs.set(d, [...set].sort(compare));
  return { files, dirs, totalBytes };
}

/** Where a dataset's listing (and, for eddy:// mounts, its bytes) came from. */
export type DatasetSource = 'bucket' | 'upstream' | 'fallback';

export class DatasetNamespace {
  readonly dataset: string;
  readonly #options: DatasetNamespaceOptions;
  readonly #logger: Logger;
  #mounts: NamespaceMount[];
  #snap: Snapshot = buildSnapshot(new Map());
  #inflight: Promise<{ files: number; bytes: number }> | undefined;
  /** Bumped on every successful refresh; caches derived from the listing key on it. */
  generation = 0;
  lastRefreshMs = 0;
  lastError: string | undefined;
  /**
   * Where the last successful listing came from: `bucket` for s3/oss/file mounts, `upstream` when
   * an eddy:// mount's upstream cluster answered, `fallback` when one of them was read from its bucket.
   */
  source: DatasetSource = 'bucket';

  constructor(options: DatasetNamespaceOptions) {
    this.#options = options;
    this.dataset = options.dataset;
    this.#mounts = options.mounts;
    this.#logger = options.logger;
  }

  /** Replaces the mounts (a re-applied Dataset); the next refresh lists the new ones. */
  setMounts(mounts: NamespaceMount[]): void {
    this.#mounts = mounts;
  }

  get loaded(): boolean { return this.generation > 0; }
  get fileCount(): number { return this.#snap.files.size; }
  get totalBytes(): number { return this.#snap.totalBytes; }

  /** Lists every mount and swaps in the new listing. Concurrent calls share one run. */
  refresh(): Promise<{ files: number; bytes: number }> {
    if (this.#inflight) return this.#inflight;
    const run = this.#doRefresh().finally(() => { this.#inflight = undefined; });
    this.#inflight = run;
    return run;
  }

  async #doRefresh(): Promise<{ files: number; bytes: number }> {
    const started = Date.now();
    const signal = AbortSignal.timeout(this.#options.refreshTimeoutMs ?? MASTER_DEFAULTS.listingTimeoutMs);
    const limit = pLimit(this.#options.listConcurrency ?? MASTER_DEFAULTS.listConcurrency);
    const mounts = this.#mounts;
    if (mounts.length === 0) {
      // Never swap in an empty listing for want of mounts: that would look like every object was
      // deleted and free every cached block.
      this.lastError = `dataset ${this.dataset} has no usable mounts`;
      throw new UnavailableError(this.lastError);
    }
    const files = new Map<string, FileEntry>();
    const sources: DatasetSource[] = [];
    try {
      const perMount = await Promise.all(mounts.map((m, i) => limit(async () => {
        const ufs = this.#options.createUfs({ url: m.url, options: m.options }, { logger: this.#logger });
        const out: FileEntry[] = [];
        const skipped: string[] = [];
        try {
          for await (const e of ufs.list('', { recursive: true, signal })) {
            if (e.isDirectory) continue;
            // S3 allows keys like `a/../b` or with NUL; they have no place in a path tree, and one
            // such object must not fail the whole listing: leave it out (and say so).
            let path: string;
            try {
              if (e.path.includes('\0')) throw new ValidationError('NUL in an object key', 'path');
              path = joinPath(m.path, e.path);
            } catch (err) {
              if (!(err instanceof ValidationError)) throw err;
              skipped.push(e.path);
              continue;
            }
            out.push({ path, size: e.size, version: e.version, mtimeMs: e.mtimeMs, ...(e.versionId ? { versionId: e.versionId } : {}) });
          }
          sources.push(ufs.source ?? 'bucket');
          if (skipped.length > 0) {
            this.#logger.warn({ dataset: this.dataset, mount: i, skipped: skipped.length, example: JSON.stringify(skipped[0]) }, "left out objects whose keys have '.', '..' or NUL segments");
          }
        } catch (err) {
          // Name the mount by its printable description (no credentials), never by options.
          const msg = err instanceof Error ? err.message : String(err);
          const code = err instanceof EddyError ? err.code : 'UNAVAILABLE';
          throw new EddyError(code, `cannot list mount ${i} (${ufs.description}): ${msg}`, { cause: err });
        } finally {
          await ufs.close().catch(() => undefined);
        }
        return out;
      })));
      // Mounts listed in order, so a later (more specific) mount wins a path collision.
      for (const list of perMount) for (const f of list) files.set(f.path, f);
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      this.#logger.warn({ dataset: this.dataset, err }, 'namespace refresh failed');
      throw err;
    }
    this.#snap = buildSnapshot(files);
    this.generation++;
    this.lastRefreshMs = Date.now();
    this.lastError = undefined;
    this.source = sources.includes('fallback') ? 'fallback' : sources.includes('upstream') ? 'upstream' : 'bucket';
    this.#logger.info({ dataset: this.dataset, files: files.size, bytes: this.#snap.totalBytes, ms: Date.now() - started }, 'namespace refreshed');
    return { files: files.size, bytes: this.#snap.totalBytes };
  }

  /** The file at `path`, if the listing has one. */
  file(path: string): FileEntry | undefined {
    return this.#snap.files.get(normalizeDatasetPath(path));
  }

  /** Stat from memory: a file, a derived directory, or undefined. */
  stat(path: string): DirEntryInfo | undefined {
    const p = normalizeDatasetPath(path);
    const f = this.#snap.files.get(p);
    if (f) return { ...f, isDir: false };
    if (this.#snap.dirs.has(p)) return { path: p, size: 0, version: '', mtimeMs: 0, isDir: true };
    return undefined;
  }

  /**
   * One page of the children of directory `path`, sorted by name. `pageToken` is the last name
   * of the previous page, so pages stay consistent across a refresh in between.
   */
  list(path: string, pageToken = '', pageSize = DEFAULT_PAGE_SIZE): { entries: DirEntryInfo[]; nextPageToken: string } {
    const p = normalizeDatasetPath(path);
    if (!Number.isInteger(pageSize) || pageSize < 0) throw new ValidationError(`page_size must be a non-negative integer, got ${pageSize}`, 'page_size');
    const size = pageSize === 0 ? DEFAULT_PAGE_SIZE : Math.min(pageSize, MAX_PAGE_SIZE);
    const children = this.#snap.dirs.get(p);
    if (!children) {
      if (this.#snap.files.has(p)) throw new ValidationError(`${p} is a file, not a directory`, 'path');
      throw new NotFoundError(`no directory ${p} in dataset ${this.dataset}`);
    }
    // First child strictly after the token (binary search over the sorted names).
    let lo = 0;
    let hi = children.length;
    if (pageToken) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compare(children[mid] as string, pageToken) <= 0) lo = mid + 1; else hi = mid;
      }
    }
    const names = children.slice(lo, lo + size);
    const entries: DirEntryInfo[] = [];
    for (const name of names) {
      const cp = p === '/' ? `/${name}` : `${p}/${name}`;
      const f = this.#snap.files.get(cp);
      // A name that is both a file and a directory prefix lists as the directory.
      if (f && !this.#snap.dirs.has(cp)) entries.push({ ...f, isDir: false });
      else entries.push({ path: cp, size: 0, version: '', mtimeMs: 0, isDir: true });
    }
    const more = lo + size < children.length;
    return { entries, nextPageToken: more ? (names[names.length - 1] ?? '') : '' };
  }

  /** Every file at or below `path` (a file path yields that file). */
  filesUnder(path: string): FileEntry[] {
    const p = normalizeDatasetPath(path);
    const exact = this.#snap.files.get(p);
    if (exact) return [exact];
    const prefix = p === '/' ? '/' : `${p}/`;
    const out: FileEntry[] = [];
    for (const f of this.#snap.files.values()) if (f.path.startsWith(prefix)) out.push(f);
    return out;
  }

  allFiles(): IterableIterator<FileEntry> {
    return this.#snap.files.values();
  }
}

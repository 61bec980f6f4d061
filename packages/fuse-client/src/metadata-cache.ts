// User-space attribute, entry and negative caches in front of the master, each bounded and with
// exactly the configured timeout, so the client never shows metadata older than the kernel would.
// A timeout of 0 disables the cache (every call asks the master), as with libfuse.
import { LRUCache } from 'lru-cache';

export interface FileAttr {
  path: string;
  isDir: boolean;
  size: number;
  version: string;
  /** The store's id of the version in a bucket that keeps versions, '' otherwise. */
  versionId: string;
  mtimeMs: number;
}

/** Told of attribute changes (the fast attr table mirrors the cached attributes: fast-attrs.ts). */
export interface AttrWatcher {
  /** `path`'s attribute left the cache (replaced, deleted, evicted, expired or cleared): synchronously, before anything reads it. */
  dropped(path: string): void;
  /** A listing put these attributes in the cache. */
  listed(attrs: readonly FileAttr[]): void;
}

export interface MetadataCacheOptions {
  attrTimeoutSec: number;
  entryTimeoutSec: number;
  negativeTimeoutSec: number;
  /** Bound on the attribute and negative caches; listings get 1/100 of it (MOUNT_DEFAULTS.metadataCacheEntries). */
  maxEntries: number;
}

export interface DirListing {
  names: string[];
  /** The same names, for O(1) lookups in large directories. */
  nameSet: Set<string>;
  attrs: FileAttr[];
}

const NEGATIVE = true as const;

function makeCache<V extends object | boolean>(
  seconds: number, max: number, dispose?: (value: V, key: string) => void,
): LRUCache<string, V> | undefined {
  if (seconds <= 0) return undefined;
  // ttlAutopurge is off: expired entries are dropped on access (lru-cache checks ttl on get). The
  // clock is the monotonic one libfuse's threads read (fast-attrs.ts), read at every check
  // (ttlResolution 0): lru-cache's 1 ms debounce lasts until the event loop turns, however long.
  return new LRUCache<string, V>({
    max, ttl: Math.round(seconds * 1000), updateAgeOnGet: false, ttlResolution: 0, perf: { now: monotonicMs },
    ...(dispose ? { dispose } : {}),
  });
}

/** CLOCK_MONOTONIC in ms (process.hrtime's clock, and the fast attr table's deadlines'). */
export function monotonicMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}

export class MetadataCache {
  readonly #attr: LRUCache<string, FileAttr> | undefined;
  /** Directory listings (the names a lookup resolves against), keyed by directory path. */
  readonly #entry: LRUCache<string, DirListing> | undefined;
  readonly #negative: LRUCache<string, typeof NEGATIVE> | undefined;
  readonly #maxEntries: number;
  #watcher: AttrWatcher | undefined;

  constructor(options: MetadataCacheOptions) {
    const max = options.maxEntries;
    this.#maxEntries = max;
    // lru-cache calls dispose synchronously whenever a value leaves (set over it, delete, evict, expire, clear).
    this.#attr = makeCache<FileAttr>(options.attrTimeoutSec, max, (_attr, path) => this.#watcher?.dropped(path));
    this.#entry = makeCache<DirListing>(options.entryTimeoutSec, Math.max(16, Math.floor(max / 100)));
    this.#negative = makeCache<typeof NEGATIVE>(options.negativeTimeoutSec, max);
  }

  getAttr(path: string): FileAttr | undefined { return this.#attr?.get(path); }

  /** Tells `watcher` of every attribute that leaves the cache and of listed ones (one watcher). */
  watch(watcher: AttrWatcher): void {
    this.#watcher = watcher;
  }

  /** The bound on cached attributes. */
  get maxEntries(): number { return this.#maxEntries; }

  /**
   * The attribute cached for `path` and a time (monotonicMs) before which it is still cached unless
   * replaced or dropped, without touching its recency; undefined when there is none (or it expired).
   */
  peekAttr(path: string): { attr: FileAttr; liveUntilMs: number } | undefined {
    if (!this.#attr) return undefined;
    // Read before lru-cache reads its clock: now + remaining is then no later than the entry's expiry.
    const now = monotonicMs();
    const attr = this.#attr.peek(path);
    if (!attr) return undefined;
    return { attr, liveUntilMs: now + this.#attr.getRemainingTTL(path) };
  }
  /** Whether directory listings are kept at all (entry timeout > 0). */
  get cachesListings(): boolean { return this.#entry !== undefined; }
  /** Whether attributes are kept at all (attr timeout > 0). */
  get cachesAttrs(): boolean { return this.#attr !== undefined; }
  setAttr(attr: FileAttr): void {
    this.#negative?.delete(attr.path);
    this.#attr?.set(attr.path, attr);
  }

  isNegative(path: string): boolean { return this.#negative?.get(path) === NEGATIVE; }
  setNegative(path: string): void {
    this.#attr?.delete(path);
    this.#negative?.set(path, NEGATIVE);
  }

  getListing(dir: string): DirListing | undefined { return this.#entry?.get(dir); }
  setListing(dir: string, listing: DirListing): void {
    this.#entry?.set(dir, listing);
    for (const a of listing.attrs) this.setAttr(a);
    if (this.#attr) this.#watcher?.listed(listing.attrs);
  }

  clear(): void {
    this.#attr?.clear();
    this.#entry?.clear();
    this.#negative?.clear();
  }

  get sizes(): { attr: number; entry: number; negative: number } {
    return { attr: this.#attr?.size ?? 0, entry: this.#entry?.size ?? 0, negative: this.#negative?.size ?? 0 };
  }
}

// Decides, at each open, how the kernel may cache the handle's bytes, and which attributes the
// kernel is told, so that its page cache never holds two versions of a file at once.
//
// The kernel keeps one page cache and one file size (i_size) per inode, shared by every handle of
// the file, and libfuse's high-level API (what fuse-native exposes) gives a path one inode for as
// long as any handle of it is open: a handle cannot get a page cache of its own. A page is filled
// by whichever handle missed it and then served to all, and reads through the page cache stop at
// i_size. So:
// - an open of version V reads through the page cache only when every other open handle of the
//   path is V too, and the kernel holds V's size; its pages are kept from earlier opens only if they
//   are V's (keep_cache), else the kernel drops them at this open. V becomes the cached version.
// - any other open gets direct_io: its reads bypass the page cache and are not capped by i_size
//   (keep_cache is set, so the cached version's pages stay for its readers).
// - while handles read the cached version through the page cache, the kernel is told that
//   version's attributes (getattr and fgetattr alike): a newer size would cut them short or, larger,
//   make them read past their end. A direct_io handle of a newer version reads that version to its
//   own end whatever the kernel's size says; only stat shows the older size meanwhile.
// Pages therefore only ever come from handles of the cached version. (A direct_io handle that is
// mmap'ed still faults pages into the shared cache: see the README's consistency section.)
import { LRUCache } from 'lru-cache';

export interface OpenMode {
  /** Bypass the page cache for this handle (FOPEN_DIRECT_IO). */
  directIo: boolean;
  /** Keep the file's cached pages at this open (FOPEN_KEEP_CACHE); false drops them. */
  keepCache: boolean;
}

export interface VersionAttr {
  version: string;
  size: number;
}

interface PathState<A extends VersionAttr> {
  /** Open handles by fd: their version, and whether they read through the page cache. */
  open: Map<number, { version: string; directIo: boolean }>;
  /** The version whose pages may be in the page cache (set by the last page-cache open). */
  cached: A | undefined;
  /** The size the kernel was last told (undefined: not known). */
  kernelSize: number | undefined;
  /** The last page-cache handle of `cached` closed without any read reaching the mount: its pages were cached. */
  cacheServed: boolean;
}

export interface PageCachePolicyOptions {
  /** Keep pages across opens while the version is unchanged (`kernel_cache` / `auto_cache`); else every page-cache open drops them. */
  keepCacheAcrossOpens: boolean;
  /** Paths remembered after their last close (a forgotten one is opened direct_io until the kernel is told its size again). */
  maxPaths: number;
}

export class PageCachePolicy<A extends VersionAttr = VersionAttr> {
  readonly #keepAcrossOpens: boolean;
  /** Paths with open handles: never evicted while they have them. */
  readonly #active = new Map<string, PathState<A>>();
  /** Paths without open handles. */
  readonly #idle: LRUCache<string, PathState<A>>;

  constructor(options: PageCachePolicyOptions) {
    this.#keepAcrossOpens = options.keepCacheAcrossOpens;
    this.#idle = new LRUCache<string, PathState<A>>({ max: Math.max(1, options.maxPaths) });
  }

  /** Records the open of `fd` on `path` pinned to `v`, and returns how the kernel may cache it. */
  open(path: string, fd: number, v: A): OpenMode {
    const st = this.#activate(path);
    const alone = [...st.open.values()].every((h) => h.version === v.version);
    let mode: OpenMode;
    if (alone && st.kernelSize === v.size) {
      mode = { directIo: false, keepCache: this.#keepAcrossOpens && st.cached?.version === v.version };
      st.cached = v;
    } else {
      mode = { directIo: true, keepCache: true };
    }
    st.open.set(fd, { version: v.version, directIo: mode.directIo });
    return mode;
  }

  /** `readsReachedUs`: whether any read of the handle reached the mount (false: the page cache had them all). */
  release(path: string, fd: number, readsReachedUs = true): void {
    const st = this.#active.get(path);
    if (!st) return;
    if (st.open.get(fd)?.directIo === false) st.cacheServed = !readsReachedUs;
    st.open.delete(fd);
    if (st.open.size > 0) return;
    this.#active.delete(path);
    this.#idle.set(path, st);
  }

  /**
   * The attributes to tell the kernel about `path` whose current version is `current`: the cached
   * version's while handles read it through the page cache, else `current`. Records the size told.
   */
  toReport(path: string, current: A): A {
    const shown = this.peek(path, current);
    this.told(path, shown.size);
    return shown;
  }

  /** What toReport would return, without recording anything (the fast attr table's answer: fast-attrs.ts). */
  peek(path: string, current: A): A {
    const active = this.#active.get(path);
    if (active?.cached && [...active.open.values()].some((h) => !h.directIo)) return active.cached;
    return current;
  }

  /** What peek(path, current) will return once handle `fd` of `path` is released. */
  peekAfterRelease(path: string, fd: number, current: A): A {
    const active = this.#active.get(path);
    if (active?.cached && [...active.open].some(([f, h]) => f !== fd && !h.directIo)) return active.cached;
    return current;
  }

  /** Records that the kernel was told `size` for `path` (by toReport, or by the fast attr table). */
  told(path: string, size: number): void {
    const st = this.#active.get(path) ?? this.#idle.get(path);
    if (st) st.kernelSize = size;
    else this.#idle.set(path, { open: new Map(), cached: undefined, kernelSize: size, cacheServed: false });
  }

  /**
   * Whether a handle opened in `mode` will probably find its pages in the kernel's cache: they are
   * kept (keep_cache, the same version) and the last page-cache handle of the path needed no read
   * from us. A guess (the kernel may drop pages any time); it only decides whether a small file is
   * read whole at open (BlockSource.fillAtOpen), never what a read returns.
   */
  servedByPageCache(path: string, mode: OpenMode): boolean {
    return !mode.directIo && mode.keepCache && this.#active.get(path)?.cacheServed === true;
  }

  clear(): void {
    this.#active.clear();
    this.#idle.clear();
  }

  #activate(path: string): PathState<A> {
    let st = this.#active.get(path);
    if (!st) {
      st = this.#idle.get(path) ?? { open: new Map(), cached: undefined, kernelSize: undefined, cacheServed: false };
      this.#idle.delete(path);
      this.#active.set(path, st);
    }
    return st;
  }
}

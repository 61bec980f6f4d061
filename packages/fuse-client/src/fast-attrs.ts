// Getattr answered in libfuse's threads: the patched fuse-native keeps a table path -> the struct
// stat this mount would report (fuse-native.c, "the fast attr table"), and a getattr (or fgetattr)
// of a path with a live entry never wakes Node's event loop. A find over a listed tree, and the
// lookup before each open of a small file, were one libfuse -> JS -> libfuse round trip per file.
// FastAttrs keeps that table equal to what EddyFilesystem.getattr would answer.
//
// Why an entry always equals JS's answer. JS answers getattr(P) with report(A), where A is the
// attribute MetadataCache holds for P (MasterMetadata.lookup returns it while it is cached) and
// report() is PageCachePolicy.peek(P, A) (the version page-cache readers read, while there are
// some, else A) turned into a stat. An entry for P is put only from a live cached A, with
// report(A) computed at that moment and a deadline no later than A's expiry in the cache (both on
// CLOCK_MONOTONIC; the cache reads that clock at every check, see MetadataCache). So the entry can
// only differ from JS's answer after A or peek(P, A) changed, and each change removes it first:
// - A leaves the cache (replaced by a Stat or a listing, deleted by a negative answer, evicted by
//   the LRU bound, expired, cleared): lru-cache's dispose, synchronous in the same call, removes
//   P's entry before anything can read the new value (AttrWatcher.dropped). Expiry needs no
//   removal: the entry's deadline has passed by then.
// - peek(P, A) depends on P's open handles: EddyFilesystem removes P's entry before a page-cache
//   open or a release of P changes them, and puts the new answer after.
// - unmount and closeAll clear the table.
// Removal takes the table's write lock, so it returns once no getattr is reading the entry; a
// getattr answered before it was answered before the change (a valid order of two concurrent
// operations, as when JS serialises them). No entry, or a passed deadline: JS answers, exactly as
// without the table, and ENOENT is always JS's (negative answers are never put).
//
// The size the kernel holds. PageCachePolicy opens a handle through the page cache only when the
// kernel was last told the handle's size (kernelSize), and JS's getattr records it as it answers.
// An entry put from a listing tells the kernel a size only if a getattr reads it, so the table counts
// each entry's answers and a removal returns the size the entry told (PageCachePolicy.told). Every
// open removes P's entry before it asks kernelSize, so that is never stale; an entry that answered
// nothing leaves kernelSize as it was (the kernel still holds whatever it was told before).
import type { FuseStat } from 'fuse-native';
import type { AttrWatcher, FileAttr, MetadataCache } from './metadata-cache.js';
import { monotonicMs } from './metadata-cache.js';
import type { PageCachePolicy } from './page-cache-policy.js';

/** The native table (NativeFastAttrs over the patched fuse-native). */
export interface FastAttrTable {
  /**
   * getattrs of `path` are answered with `stat` until `untilMs` (monotonicMs); a new path is refused
   * when the table holds `maxEntries`. The size the replaced entry told the kernel, or -1.
   */
  put(path: string, stat: FuseStat, untilMs: number, maxEntries: number): number;
  /** Removes `path`'s entry once no getattr reads it: the size it told the kernel, or -1 (none, or it answered nothing). */
  remove(path: string): number;
  clear(): void;
}

export interface FastAttrsOptions {
  table: FastAttrTable;
  cache: MetadataCache;
  pageCache: PageCachePolicy<FileAttr>;
  /** The stat EddyFilesystem reports for an attribute (the one it would tell the kernel). */
  stat(attr: FileAttr): FuseStat;
}

/**
 * Subtracted from an entry's deadline: the cache entry's expiry is exact (MetadataCache.peekAttr),
 * this only absorbs the ms -> ns rounding on the C side.
 */
const DEADLINE_MARGIN_MS = 1;

export class FastAttrs implements AttrWatcher {
  readonly #o: FastAttrsOptions;

  constructor(options: FastAttrsOptions) {
    this.#o = options;
    options.cache.watch(this);
  }

  /** `path`'s attribute left the metadata cache: its entry goes now, before the new value is read. */
  dropped(path: string): void {
    this.remove(path);
  }

  /** A listing arrived: its files' getattrs (a find, the lookup before an open) are answered in C from now on. */
  listed(attrs: readonly FileAttr[]): void {
    for (const a of attrs) this.mirror(a.path);
  }

  /** After JS answered getattr(current.path) with `stat` from the cached `current`: later ones are answered in C. */
  reported(current: FileAttr, stat: FuseStat): void {
    const live = this.#o.cache.peekAttr(current.path);
    if (live?.attr === current) this.#put(current.path, stat, live.liveUntilMs);
  }

  /**
   * Runs `release`, the release of handle `fd` of `path`. Its entry is removed first and put back
   * after only when the release changes JS's answer (peek turns from the version page-cache
   * readers read to a different current one): the usual close of a current version leaves the
   * entry as it is, which saves two C calls and a stat per close. A release never reads the size
   * the entry told the kernel (the next open's removal records it).
   */
  releasing(path: string, fd: number, release: () => void): void {
    const live = this.#o.cache.peekAttr(path);
    if (live && !live.attr.isDir && sameAnswer(this.#o.pageCache.peek(path, live.attr), this.#o.pageCache.peekAfterRelease(path, fd, live.attr))) {
      release();
      return;
    }
    this.remove(path);
    release();
    this.mirror(path);
  }

  /** Removes `path`'s entry, recording the size it told the kernel (before PageCachePolicy reads or changes it). */
  remove(path: string): void {
    const told = this.#o.table.remove(path);
    if (told >= 0) this.#o.pageCache.told(path, told);
  }

  /** Puts `path`'s entry from the cache as JS would answer now (nothing when the cache has no live attribute). */
  mirror(path: string): void {
    const live = this.#o.cache.peekAttr(path);
    if (!live) return;
    const shown = live.attr.isDir ? live.attr : this.#o.pageCache.peek(path, live.attr);
    this.#put(path, this.#o.stat(shown), live.liveUntilMs);
  }

  clear(): void {
    this.#o.table.clear();
  }

  #put(path: string, stat: FuseStat, liveUntilMs: number): void {
    const until = liveUntilMs - DEADLINE_MARGIN_MS;
    if (until <= monotonicMs()) return;
    const told = this.#o.table.put(path, stat, until, this.#o.cache.maxEntries);
    if (told >= 0) this.#o.pageCache.told(path, told);
  }
}

/** Whether two attributes are reported with the same stat (EddyFilesystem's stat reads these fields). */
function sameAnswer(a: FileAttr, b: FileAttr): boolean {
  return a === b || (a.version === b.version && a.size === b.size && a.mtimeMs === b.mtimeMs && a.isDir === b.isDir);
}

// The FUSE operations of a mounted dataset: metadata from the master (through the user-space
// caches), bytes through the read path, and EROFS for every write on a read-only dataset.
import { posix } from 'node:path';
import { LRUCache } from 'lru-cache';
import pLimit from 'p-limit';
import type { FuseOps, FuseStat, FuseStatfs } from 'fuse-native';
import { NotFoundError, type Logger } from '@eddy/core';
import { type MasterRpc, type proto } from '@eddy/protocol';
import { ERRNO, errnoOf } from './errno.js';
import { MetadataCache, type DirListing, type FileAttr } from './metadata-cache.js';
import type { BlockReader } from './read-path/block-reader.js';
import { FileReader, type ReadaheadOptions } from './read-path/file-reader.js';
import { LocationCache, rememberedLocations } from './read-path/location-cache.js';
import type { ReadaheadBudget } from './read-path/readahead-budget.js';

export interface EddyFilesystemOptions {
  master: MasterRpc;
  dataset: string;
  runtime: string;
  blockSize: number;
  readOnly: boolean;
  cache: MetadataCache;
  blockReader: BlockReader;
  budget: ReadaheadBudget;
  readahead: ReadaheadOptions;
  logger: Logger;
  /** The kernel's (and libfuse auto_cache's) attribute timeout. Default 0. */
  attrTimeoutMs?: number;
  /** Entries per List call. Default 1000. */
  listPageSize?: number;
  /** Deadline of a metadata call to the master. Default 10 s. */
  masterTimeoutMs?: number;
}

const O_ACCMODE = 3;
const O_TRUNC = 0o1000;
const O_CREAT = 0o100;
const STATFS_BSIZE = 4096;
const STATFS_CACHE_MS = 2_000;

interface Handle { reader: FileReader; attr: FileAttr }

/** Subdirectories listed ahead per directory read, and listings in flight for that at once. */
const PREFETCH_SUBDIRS_MAX = 256;
const PREFETCH_CONCURRENCY = 8;

export class EddyFilesystem {
  readonly #o: EddyFilesystemOptions;
  readonly #handles = new Map<number, Handle>();
  /** Block locations of every handle, for handles opened while the master is unreachable. */
  readonly #locations = rememberedLocations();
  /**
   * The newest version opened per path. The kernel's page cache is per inode, not per handle: once
   * a handle pinned to a newer version exists, bytes read for an older handle would land in the
   * shared cache and be served to the new one (a mixed read). So older handles get EIO from then on.
   */
  readonly #newestOpened = new Map<string, { version: string; mtimeMs: number; openHandles: number }>();
  /**
   * The attributes last reported to the kernel per path. libfuse's auto_cache decides at open
   * whether to keep the page cache by comparing mtime/size with what it was last told (trusted for
   * attr_timeout); a handle must pin that same version, or it could be served the pages of another.
   */
  readonly #reported: LRUCache<string, FileAttr> | undefined;
  readonly #inflightStat = new Map<string, Promise<FileAttr>>();
  readonly #inflightList = new Map<string, Promise<DirListing>>();
  readonly #uid = process.getuid?.() ?? 0;
  readonly #gid = process.getgid?.() ?? 0;
  readonly #mountedAt = new Date();
  #nextFd = 1;
  #statfs: { at: number; value: FuseStatfs } | undefined;
  /** Master calls made, for tests and diagnostics. */
  readonly calls = { stat: 0, list: 0, listWorkers: 0 };

  constructor(options: EddyFilesystemOptions) {
    this.#o = options;
    const ttl = options.attrTimeoutMs ?? 0;
    // Kept a little longer than libfuse trusts it (its clock starts when it handles the reply): pinning
    // the told version a moment too long is harmless, a moment too short lets pages of two versions meet.
    this.#reported = ttl > 0 ? new LRUCache<string, FileAttr>({ max: 100_000, ttl: ttl + 2_000, updateAgeOnGet: false }) : undefined;
  }

  #report(attr: FileAttr): FuseStat {
    if (!attr.isDir) this.#reported?.set(attr.path, attr);
    return this.#stat(attr);
  }

  get openHandles(): number { return this.#handles.size; }

  // ---- metadata ----

  async lookup(path: string): Promise<FileAttr> {
    if (path === '/') return { path: '/', isDir: true, size: 0, version: '', mtimeMs: this.#mountedAt.getTime() };
    const { cache } = this.#o;
    const hit = cache.getAttr(path);
    if (hit) return hit;
    if (cache.isNegative(path)) throw new NotFoundError(path);
    // A name missing from a fresh listing of its parent needs no round trip.
    const parent = cache.getListing(posix.dirname(path));
    if (parent && !parent.nameSet.has(posix.basename(path))) {
      cache.setNegative(path);
      throw new NotFoundError(path);
    }
    let p = this.#inflightStat.get(path);
    if (!p) {
      p = this.#statFromMaster(path).finally(() => this.#inflightStat.delete(path));
      this.#inflightStat.set(path, p);
    }
    return await p;
  }

  async #statFromMaster(path: string): Promise<FileAttr> {
    const { master, dataset, cache } = this.#o;
    this.calls.stat++;
    try {
      const res = await master.stat({ dataset, path }, { timeoutMs: this.#o.masterTimeoutMs ?? 10_000 });
      if (!res.info) throw new NotFoundError(path);
      const attr = toAttr(res.info, path);
      cache.setAttr(attr);
      return attr;
    } catch (err) {
      if (err instanceof NotFoundError) cache.setNegative(path);
      throw err;
    }
  }

  async listDir(path: string): Promise<DirListing> {
    const dir = await this.lookup(path);
    if (!dir.isDir) throw Object.assign(new Error('not a directory'), { errno: ERRNO.ENOTDIR });
    const hit = this.#o.cache.getListing(path);
    if (hit) return hit;
    let p = this.#inflightList.get(path);
    if (!p) {
      p = this.#listFromMaster(path).finally(() => this.#inflightList.delete(path));
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
  #prefetchSubdirs(listing: DirListing): void {
    if (!this.#o.cache.cachesListings) return;
    let queued = 0;
    for (const a of listing.attrs) {
      if (!a.isDir || this.#o.cache.getListing(a.path) || this.#inflightList.has(a.path)) continue;
      if (++queued > PREFETCH_SUBDIRS_MAX) break;
      void this.#prefetchLimit(async () => await this.listDir(a.path)).catch(() => undefined);
    }
  }

  readonly #prefetchLimit = pLimit(PREFETCH_CONCURRENCY);

  async #listFromMaster(path: string): Promise<DirListing> {
    const { master, dataset, cache } = this.#o;
    const names: string[] = [];
    const attrs: FileAttr[] = [];
    const seen = new Set<string>();
    let pageToken = '';
    // Large directories arrive in pages; one giant reply could exceed the RPC message limit.
    do {
      this.calls.list++;
      const res = await master.list(
        { dataset, path, pageToken, pageSize: this.#o.listPageSize ?? 1000 },
        { timeoutMs: this.#o.masterTimeoutMs ?? 10_000 },
      );
      for (const e of res.entries) {
        const name = posix.basename(e.path.replace(/\/+$/, ''));
        if (name === '' || seen.has(name)) continue;
        seen.add(name);
        names.push(name);
        attrs.push(toAttr(e, posix.join(path, name)));
      }
      pageToken = res.nextPageToken;
    } while (pageToken !== '');
    const listing = { names, nameSet: seen, attrs };
    cache.setListing(path, listing);
    return listing;
  }

  #stat(a: FileAttr): FuseStat {
    const mtime = new Date(a.mtimeMs);
    const perm = this.#o.readOnly ? (a.isDir ? 0o555 : 0o444) : (a.isDir ? 0o755 : 0o644);
    return {
      mode: (a.isDir ? 0o040000 : 0o100000) | perm,
      uid: this.#uid, gid: this.#gid,
      size: a.isDir ? 4096 : a.size,
      nlink: a.isDir ? 2 : 1,
      blksize: 1 << 20,
      blocks: Math.ceil((a.isDir ? 4096 : a.size) / 512),
      mtime, atime: mtime, ctime: mtime,
    };
  }

  async #statfsValue(): Promise<FuseStatfs> {
    const now = Date.now();
    if (this.#statfs && now - this.#statfs.at < STATFS_CACHE_MS) return this.#statfs.value;
    this.calls.listWorkers++;
    const res = await this.#o.master.listWorkers({ runtime: this.#o.runtime }, { timeoutMs: this.#o.masterTimeoutMs ?? 10_000 });
    let quota = 0;
    let used = 0;
    for (const w of res.workers as proto.WorkerStatus__Output[]) {
      if (!w.live) continue;
      for (const t of w.tiers) {
        quota += Number(t.quotaBytes);
        used += Math.min(Number(t.usedBytes), Number(t.quotaBytes));
      }
    }
    const clamp = (n: number): number => Math.min(0xffffffff, Math.floor(n / STATFS_BSIZE));
    const value: FuseStatfs = {
      bsize: STATFS_BSIZE, frsize: STATFS_BSIZE,
      blocks: clamp(quota), bfree: clamp(quota - used), bavail: clamp(quota - used),
      files: 1_000_000, ffree: 0, favail: 0, fsid: 0, flag: this.#o.readOnly ? 1 : 0, namemax: 255,
    };
    this.#statfs = { at: now, value };
    return value;
  }

  // ---- the fuse-native ops table ----

  ops(): FuseOps {
    const log = this.#o.logger;
    const fail = (op: string, path: string, err: unknown): number => {
      const errno = (err as { errno?: number }).errno ?? errnoOf(err);
      if (errno !== ERRNO.ENOENT) log.warn({ op, path, err }, 'fuse operation failed');
      return errno;
    };
    const writeErr = this.#o.readOnly ? ERRNO.EROFS : ERRNO.ENOTSUP;
    const refuse = (...args: unknown[]): void => {
      const cb = args[args.length - 1] as (err: number) => void;
      cb(writeErr);
    };
    const ops: FuseOps = {
      init: (cb) => cb(0),
      getattr: (path, cb) => {
        this.lookup(path).then((a) => cb(0, this.#report(a)), (err: unknown) => cb(fail('getattr', path, err)));
      },
      fgetattr: (path, fd, cb) => {
        const h = this.#handles.get(fd);
        if (h) cb(0, this.#report(h.attr));
        else this.lookup(path).then((a) => cb(0, this.#report(a)), (err: unknown) => cb(fail('fgetattr', path, err)));
      },
      readdir: (path, cb) => {
        this.listDir(path).then(
          (l) => {
            cb(0, ['.', '..', ...l.names]);
            this.#prefetchSubdirs(l);
          },
          (err: unknown) => cb(fail('readdir', path, err)),
        );
      },
      open: (path, flags, cb) => {
        if ((flags & O_ACCMODE) !== 0 || (flags & (O_TRUNC | O_CREAT)) !== 0) {
          cb(writeErr);
          return;
        }
        this.lookup(path).then((attr) => {
          if (attr.isDir) {
            cb(ERRNO.EISDIR);
            return;
          }
          // Pin what the kernel was last told while it still trusts it (see #reported).
          const told = this.#reported?.get(path);
          cb(0, this.#openPinned(told && told.version !== attr.version ? told : attr));
        }, (err: unknown) => cb(fail('open', path, err)));
      },
      read: (path, fd, buf, len, pos, cb) => {
        const h = this.#handles.get(fd);
        if (!h) {
          cb(ERRNO.EBADF);
          return;
        }
        if (this.#superseded(h)) {
          cb(ERRNO.EIO);
          return;
        }
        // Checked again on completion: a newer version may have been opened while bytes were in flight.
        h.reader.readInto(buf, pos, len).then((n) => cb(this.#superseded(h) ? ERRNO.EIO : n), (err: unknown) => cb(fail('read', path, err)));
      },
      release: (_path, fd, cb) => {
        const h = this.#handles.get(fd);
        this.#handles.delete(fd);
        if (h) {
          h.reader.close();
          // Forgotten only when no handle of the path is left, old or new.
          const newest = this.#newestOpened.get(h.attr.path);
          if (newest && --newest.openHandles <= 0) this.#newestOpened.delete(h.attr.path);
        }
        cb(0);
      },
      statfs: (path, cb) => {
        this.#statfsValue().then((v) => cb(0, v), (err: unknown) => cb(fail('statfs', path, err)));
      },
      access: (_path: string, mode: number, cb: (err: number) => void) => {
        cb(mode & 2 ? writeErr : 0);
      },
    };
    for (const op of ['write', 'create', 'unlink', 'rename', 'mkdir', 'rmdir', 'truncate', 'ftruncate', 'chmod', 'chown',
      'utimens', 'symlink', 'link', 'mknod', 'setxattr', 'removexattr', 'fsync', 'flush']) {
      if (op === 'flush' || op === 'fsync') ops[op] = (...args: unknown[]) => (args[args.length - 1] as (e: number) => void)(0);
      else ops[op] = refuse;
    }
    return ops;
  }

  /** Pins the version the client currently sees (the attr the kernel was told) to a new handle. */
  #openPinned(attr: FileAttr): number {
    const o = this.#o;
    const file = { dataset: o.dataset, path: attr.path, size: attr.size, version: attr.version, mtimeMs: attr.mtimeMs, blockSize: o.blockSize };
    const fd = this.#nextFd++;
    if (this.#nextFd > 0x7fffffff) this.#nextFd = 1;
    const reader = new FileReader(file, o.blockReader, new LocationCache(o.master, file, o.masterTimeoutMs, this.#locations), o.budget, o.readahead);
    this.#handles.set(fd, { reader, attr });
    const newest = this.#newestOpened.get(attr.path);
    if (!newest) {
      this.#newestOpened.set(attr.path, { version: attr.version, mtimeMs: attr.mtimeMs, openHandles: 1 });
    } else {
      newest.openHandles += 1;
      if (newest.version !== attr.version && attr.mtimeMs >= newest.mtimeMs) {
        newest.version = attr.version;
        newest.mtimeMs = attr.mtimeMs;
      }
    }
    return fd;
  }

  #superseded(h: Handle): boolean {
    const newest = this.#newestOpened.get(h.attr.path);
    return newest !== undefined && newest.version !== h.attr.version;
  }

  closeAll(): void {
    for (const h of this.#handles.values()) h.reader.close();
    this.#handles.clear();
    this.#newestOpened.clear();
  }
}

function toAttr(info: proto.FileInfo__Output, path: string): FileAttr {
  return {
    path,
    isDir: info.isDir,
    size: Number(info.size),
    version: info.version,
    mtimeMs: Number(info.mtimeMs),
  };
}

// The filesystem a mount serves, one method per FUSE operation (a promise where it may wait): metadata from the master
// (through the user-space caches), bytes through the read path (BlockSource), and a typed refusal
// of every write. fuse-ops.ts adapts it to fuse-native's callbacks and errno values.
//
// A handle reads the version it opened until it is closed (a snapshot per open): its PinnedVersion
// fixes the bytes, the master keeps that version's blocks while this mount holds it (VersionLeases),
// and PageCachePolicy keeps the kernel's shared page cache to one version at a time.
import type { FuseStat, FuseStatfs } from 'fuse-native';
import { ReadOnlyError } from '@eddy/core';
import { FastAttrs, type FastAttrTable } from './fast-attrs.js';
import { IsADirectoryError, WriteNotSupportedError } from './fuse-errors.js';
import type { MasterMetadata } from './master-metadata.js';
import type { FileAttr, DirListing, MetadataCache } from './metadata-cache.js';
import { OpenHandles, type OpenHandle } from './open-handles.js';
import { PageCachePolicy, type OpenMode } from './page-cache-policy.js';
import type { BlockSource } from './read-path/block-source.js';
import type { ListedLocator } from './read-path/sources.js';
import {
  PinnedVersion, rememberedKeys, rememberedLocations, type PinnedVersionOptions, type RememberedKeys, type RememberedLocations,
} from './read-path/pinned-version.js';
import type { VersionLeases } from './version-leases.js';

export interface EddyFilesystemOptions {
  metadata: MasterMetadata;
  source: BlockSource;
  /** GetBlockLocations for the handles' pinned versions. */
  locator: PinnedVersionOptions['locator'];
  /** Locations that came with directory listings: opens of small files there ask the master nothing. */
  listed?: ListedLocator;
  /** Blocks shorter than this are streamed, so listed locations serve them (MountTunables). */
  shortCircuitMinBytes: number;
  dataset: string;
  blockSize: number;
  readOnly: boolean;
  /** Keep a file's pages across opens while its version is unchanged (`kernel_cache` / `auto_cache`). */
  keepCacheAcrossOpens: boolean;
  /** Tells the master which versions are open, so their blocks stay cached. */
  leases: Pick<VersionLeases, 'acquire' | 'release'>;
  masterTimeoutMs: number;
  locationBatchBlocks: number;
  rememberedLocations: number;
  metadataCacheEntries: number;
  /**
   * getattr answered in libfuse's threads from a table JS keeps equal to its own answers
   * (fast-attrs.ts), given with the metadata cache `metadata` reads through.
   */
  fastAttrs?: { table: FastAttrTable; cache: MetadataCache };
}

const O_ACCMODE = 3;
const O_TRUNC = 0o1000;
const O_CREAT = 0o100;
const W_OK = 2;
const STATFS_BSIZE = 4096;
const ST_RDONLY = 1;

/** An open handle: its fd, and how the kernel may cache its bytes. */
export interface Opened {
  fd: number;
  mode: OpenMode;
}

export class EddyFilesystem {
  readonly #o: EddyFilesystemOptions;
  readonly #handles: OpenHandles;
  readonly #pageCache: PageCachePolicy<FileAttr>;
  /** Block locations of every handle, for handles opened while the master is unreachable. */
  readonly #locations: RememberedLocations;
  /** Block keys of the versions opened lately (each a SHA-256). */
  readonly #keys: RememberedKeys;
  readonly #fast: FastAttrs | undefined;
  readonly #uid = process.getuid?.() ?? 0;
  readonly #gid = process.getgid?.() ?? 0;

  constructor(options: EddyFilesystemOptions) {
    this.#o = options;
    this.#handles = new OpenHandles();
    this.#pageCache = new PageCachePolicy<FileAttr>({
      keepCacheAcrossOpens: options.keepCacheAcrossOpens, maxPaths: options.metadataCacheEntries,
    });
    this.#locations = rememberedLocations(options.rememberedLocations);
    this.#keys = rememberedKeys(options.rememberedLocations);
    const fast = options.fastAttrs;
    this.#fast = fast ? new FastAttrs({ ...fast, pageCache: this.#pageCache, stat: (attr) => this.#stat(attr) }) : undefined;
  }

  get openHandles(): number { return this.#handles.size; }

  async getattr(path: string): Promise<FuseStat> {
    return this.#report(await this.#o.metadata.lookup(path));
  }

  /**
   * The same as getattr: the kernel has one size per file (not per handle) and applies whatever it
   * is told to every handle, so a handle's own size here would cut short, or extend, the readers of
   * another version (see PageCachePolicy).
   */
  async fgetattr(path: string, fd: number): Promise<FuseStat> {
    const h = this.#handles.find(fd);
    return await this.getattr(h?.attr.path ?? path);
  }

  async readdir(path: string): Promise<DirListing> {
    return await this.#o.metadata.listDir(path);
  }

  /** After a directory was read: list its subdirectories ahead of a walk (see MasterMetadata). */
  prefetchSubdirs(listing: DirListing): void {
    this.#o.metadata.prefetchSubdirs(listing);
  }

  /**
   * Opens `path` for reading, pinning its current version (as the user-space caches know it): the
   * new fd, and how the kernel may cache the handle's bytes (page cache or direct_io, keep or drop
   * cached pages; PageCachePolicy). A promise only when the open has to wait (attributes not
   * cached, bytes not at hand): a warm small file of a listed directory opens in one turn of the
   * event loop, with none of the promises and microtasks that cost a share of the mount's CPU per
   * file (docs/performance.md). Refusals throw (synchronously, or as the promise's rejection).
   */
  open(path: string, flags: number): Opened | Promise<Opened> {
    if ((flags & O_ACCMODE) !== 0 || (flags & (O_TRUNC | O_CREAT)) !== 0) this.refuseWrite('open for writing', path);
    const cached = this.#o.metadata.lookupNow(path);
    if (cached) return this.#openVersion(cached);
    return this.#o.metadata.lookup(path).then((attr) => this.#openVersion(attr));
  }

  #openVersion(pinnedAttr: FileAttr): Opened | Promise<Opened> {
    if (pinnedAttr.isDir) throw new IsADirectoryError(pinnedAttr.path);
    const o = this.#o;
    const pinned = new PinnedVersion(
      {
        dataset: o.dataset, path: pinnedAttr.path, size: pinnedAttr.size, version: pinnedAttr.version,
        versionId: pinnedAttr.versionId, mtimeMs: pinnedAttr.mtimeMs, blockSize: o.blockSize,
      },
      {
        locator: o.locator, timeoutMs: o.masterTimeoutMs, batchBlocks: o.locationBatchBlocks, remembered: this.#locations, keys: this.#keys,
        ...(o.listed ? { listed: o.listed } : {}), smallBlockBytes: o.shortCircuitMinBytes,
      },
    );
    o.leases.acquire(pinnedAttr);
    const handle = this.#handles.add((fd) => ({ file: o.source.open(pinned, fd), attr: pinnedAttr }));
    // The open may change what getattr reports (PageCachePolicy.peek): the C entry goes first, and
    // with it the size it told the kernel, which the policy reads now.
    this.#fast?.remove(pinnedAttr.path);
    const mode = this.#pageCache.open(pinnedAttr.path, handle.fd, pinnedAttr);
    this.#fast?.mirror(pinnedAttr.path);
    const opened: Opened = { fd: handle.fd, mode };
    // A small file is read whole now and its reads answered in libfuse's threads, unless the last
    // handle of this version found all its pages in the kernel's cache (kept for this one too).
    const filling = this.#pageCache.servedByPageCache(pinnedAttr.path, mode) ? undefined : o.source.fillAtOpen(handle.file);
    return filling ? filling.then(() => opened) : opened;
  }

  /** Reads into `target` for handle `fd`: bytes of the version it opened, whatever happened to the object since. */
  async read(fd: number, target: Buffer, length: number, position: number): Promise<number> {
    const h = this.#handles.get(fd);
    return await this.#o.source.readInto(h.file, target, position, length);
  }

  release(fd: number): void {
    const h = this.#handles.release(fd);
    if (h) this.#forget(fd, h);
  }

  #forget(fd: number, h: OpenHandle): void {
    const release = (): void => this.#pageCache.release(h.attr.path, fd, h.file.readsReachedUs);
    if (this.#fast) this.#fast.releasing(h.attr.path, fd, release);
    else release();
    this.#o.leases.release(h.attr);
  }

  async statfs(): Promise<FuseStatfs> {
    const { quotaBytes, usedBytes } = await this.#o.metadata.capacity();
    const clamp = (n: number): number => Math.min(0xffffffff, Math.floor(n / STATFS_BSIZE));
    return {
      bsize: STATFS_BSIZE, frsize: STATFS_BSIZE,
      blocks: clamp(quotaBytes), bfree: clamp(quotaBytes - usedBytes), bavail: clamp(quotaBytes - usedBytes),
      files: 1_000_000, ffree: 0, favail: 0, fsid: 0, flag: this.#o.readOnly ? ST_RDONLY : 0, namemax: 255,
    };
  }

  /** access(2): reading and searching are allowed; asking for write access is refused. */
  access(path: string, mode: number): void {
    if (mode & W_OK) this.refuseWrite('access for writing', path);
  }

  /** Every write is refused: EROFS on a read-only mount, ENOTSUP on a ReadWriteMany one (Eddy caches reads only). */
  refuseWrite(op: string, path: string): never {
    if (this.#o.readOnly) throw new ReadOnlyError(`${op} ${path}: the dataset is mounted read-only`);
    throw new WriteNotSupportedError(`${op} ${path}: Eddy mounts do not support writes`);
  }

  closeAll(): void {
    this.#handles.closeAll();
    this.#fast?.clear();
    this.#pageCache.clear();
  }

  #report(current: FileAttr): FuseStat {
    // A C entry that was not live (or not there) goes first, with the size it told the kernel,
    // before toReport records the size told now (fast-attrs.ts).
    this.#fast?.remove(current.path);
    // The version page-cache readers read while there are some, else the current one (PageCachePolicy).
    const attr = current.isDir ? current : this.#pageCache.toReport(current.path, current);
    const st = this.#stat(attr);
    this.#fast?.reported(current, st);
    return st;
  }

  #stat(attr: FileAttr): FuseStat {
    const mtime = new Date(attr.mtimeMs);
    const perm = this.#o.readOnly ? (attr.isDir ? 0o555 : 0o444) : (attr.isDir ? 0o755 : 0o644);
    const size = attr.isDir ? 4096 : attr.size;
    return {
      mode: (attr.isDir ? 0o040000 : 0o100000) | perm,
      uid: this.#uid, gid: this.#gid, size,
      nlink: attr.isDir ? 2 : 1,
      blksize: 1 << 20,
      blocks: Math.ceil(size / 512),
      mtime, atime: mtime, ctime: mtime,
    };
  }
}

// The filesystem a mount serves, one async method per FUSE operation: metadata from the master
// (through the user-space caches), bytes through the read path (BlockSource), and a typed refusal
// of every write. fuse-ops.ts adapts it to fuse-native's callbacks and errno values.
import type { FuseStat, FuseStatfs } from 'fuse-native';
import { ReadOnlyError } from '@eddy/core';
import { IsADirectoryError, SupersededError, WriteNotSupportedError } from './fuse-errors.js';
import type { MasterMetadata } from './master-metadata.js';
import type { FileAttr, DirListing } from './metadata-cache.js';
import { OpenHandles } from './open-handles.js';
import type { BlockSource } from './read-path/block-source.js';
import { PinnedVersion, rememberedLocations, type PinnedVersionOptions, type RememberedLocations } from './read-path/pinned-version.js';

export interface EddyFilesystemOptions {
  metadata: MasterMetadata;
  source: BlockSource;
  /** GetBlockLocations for the handles' pinned versions. */
  locator: PinnedVersionOptions['locator'];
  dataset: string;
  blockSize: number;
  readOnly: boolean;
  /** The kernel's (and libfuse auto_cache's) attribute timeout. */
  attrTimeoutMs: number;
  masterTimeoutMs: number;
  locationBatchBlocks: number;
  rememberedLocations: number;
  metadataCacheEntries: number;
}

const O_ACCMODE = 3;
const O_TRUNC = 0o1000;
const O_CREAT = 0o100;
const W_OK = 2;
const STATFS_BSIZE = 4096;
const ST_RDONLY = 1;

export class EddyFilesystem {
  readonly #o: EddyFilesystemOptions;
  readonly #handles: OpenHandles;
  /** Block locations of every handle, for handles opened while the master is unreachable. */
  readonly #locations: RememberedLocations;
  readonly #uid = process.getuid?.() ?? 0;
  readonly #gid = process.getgid?.() ?? 0;

  constructor(options: EddyFilesystemOptions) {
    this.#o = options;
    this.#handles = new OpenHandles(options.attrTimeoutMs, options.metadataCacheEntries);
    this.#locations = rememberedLocations(options.rememberedLocations);
  }

  get openHandles(): number { return this.#handles.size; }

  async getattr(path: string): Promise<FuseStat> {
    return this.#report(await this.#o.metadata.lookup(path));
  }

  async fgetattr(path: string, fd: number): Promise<FuseStat> {
    const h = this.#handles.find(fd);
    return h ? this.#report(h.attr) : await this.getattr(path);
  }

  async readdir(path: string): Promise<DirListing> {
    return await this.#o.metadata.listDir(path);
  }

  /** After a directory was read: list its subdirectories ahead of a walk (see MasterMetadata). */
  prefetchSubdirs(listing: DirListing): void {
    this.#o.metadata.prefetchSubdirs(listing);
  }

  /** Opens `path` for reading, pinning the version the kernel was last told of; the new fd. */
  async open(path: string, flags: number): Promise<number> {
    if ((flags & O_ACCMODE) !== 0 || (flags & (O_TRUNC | O_CREAT)) !== 0) this.refuseWrite('open for writing', path);
    const attr = await this.#o.metadata.lookup(path);
    if (attr.isDir) throw new IsADirectoryError(path);
    const pinnedAttr = this.#handles.versionToPin(attr);
    const o = this.#o;
    const pinned = new PinnedVersion(
      {
        dataset: o.dataset, path: pinnedAttr.path, size: pinnedAttr.size, version: pinnedAttr.version,
        mtimeMs: pinnedAttr.mtimeMs, blockSize: o.blockSize,
      },
      { locator: o.locator, timeoutMs: o.masterTimeoutMs, batchBlocks: o.locationBatchBlocks, remembered: this.#locations },
    );
    return this.#handles.add({ file: o.source.open(pinned), attr: pinnedAttr });
  }

  /** Reads into `target` for handle `fd`; the byte count. */
  async read(fd: number, target: Buffer, length: number, position: number): Promise<number> {
    const h = this.#handles.get(fd);
    if (this.#handles.superseded(h)) throw new SupersededError(h.attr.path, h.attr.version);
    const n = await this.#o.source.readInto(h.file, target, position, length);
    // Checked again on completion: a newer version may have been opened while bytes were in flight.
    if (this.#handles.superseded(h)) throw new SupersededError(h.attr.path, h.attr.version);
    return n;
  }

  release(fd: number): void {
    this.#handles.release(fd);
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
  }

  #report(attr: FileAttr): FuseStat {
    this.#handles.reported(attr);
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

// Minimal typings for the parts of fuse-native (CJS, no bundled types) Eddy uses.
declare module 'fuse-native' {
  export type Cb<T = number> = (err: number, value?: T) => void;
  export interface FuseStat {
    mode: number; uid: number; gid: number; size: number; nlink?: number; ino?: number;
    blksize?: number; blocks?: number; mtime: Date; atime: Date; ctime: Date;
  }
  export interface FuseStatfs {
    bsize: number; frsize: number; blocks: number; bfree: number; bavail: number;
    files: number; ffree: number; favail: number; fsid: number; flag: number; namemax: number;
  }
  export interface FuseOps {
    init?(cb: (err: number) => void): void;
    statfs?(path: string, cb: (err: number, st?: FuseStatfs) => void): void;
    getattr?(path: string, cb: (err: number, st?: FuseStat) => void): void;
    fgetattr?(path: string, fd: number, cb: (err: number, st?: FuseStat) => void): void;
    readdir?(path: string, cb: (err: number, names?: string[], stats?: FuseStat[]) => void): void;
    /**
     * `openFlags` (patched fuse-native, see patches/): a bit mask of `Fuse.OPEN_DIRECT_IO` and
     * `Fuse.OPEN_KEEP_CACHE` set on this handle's fuse_file_info; ignored by an unpatched binary.
     */
    open?(path: string, flags: number, cb: (err: number, fd?: number, openFlags?: number) => void): void;
    opendir?(path: string, flags: number, cb: (err: number, fd?: number) => void): void;
    read?(path: string, fd: number, buf: Buffer, len: number, pos: number, cb: (bytesOrErr: number) => void): void;
    write?(path: string, fd: number, buf: Buffer, len: number, pos: number, cb: (bytesOrErr: number) => void): void;
    release?(path: string, fd: number, cb: (err: number) => void): void;
    releasedir?(path: string, fd: number, cb: (err: number) => void): void;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- fuse-native passes op-specific arguments
    [op: string]: ((...args: any[]) => void) | undefined;
  }
  export interface FuseConstructorOptions {
    mkdir?: boolean; force?: boolean; timeout?: number | false | Record<string, number | false>;
    [k: string]: unknown;
  }
  class Fuse {
    constructor(mnt: string, ops: FuseOps, opts?: FuseConstructorOptions);
    readonly mnt: string;
    mount(cb: (err: Error | null) => void): void;
    unmount(cb: (err: Error | null) => void): void;
    _fuseOptions(): string;
    static unmount(mnt: string, cb: (err: Error | null) => void): void;
    /** Patched fuse-native: per-handle open flags, and whether the loaded binary honours them. */
    static OPEN_DIRECT_IO: number; static OPEN_KEEP_CACHE: number; static SUPPORTS_OPEN_FLAGS: boolean;
    /**
     * Patched fuse-native: the fast read table (reads answered in the libfuse thread by a pread;
     * packages/fuse-client/src/read-path/fast-reads.ts). All no-ops before the mount.
     */
    static SUPPORTS_FAST_READ: boolean;
    /** `missBytes`: the entry's first bytes read count as misses (ignored by a binary before misses). */
    fastReadAdd(fh: number, index: number, fd: number, fileOffset: number, length: number, blockSize: number, missBytes?: number): boolean;
    /**
     * The reads the removed entry answered (-1: none); undefined from a binary before memory entries.
     * `out` (16 bytes, a binary with misses): those reads and the entry's miss bytes not counted, as native doubles.
     */
    fastReadRemove(fh: number, index: number, fd: number, out?: Buffer): number | undefined;
    /** Patched fuse-native whose file entries count a FETCHed block's first bytes as misses; absent before. */
    static SUPPORTS_FAST_READ_MISSES: boolean | undefined;
    /** Takes up to `n` bytes of that entry's miss bytes (if it still names `fd`): the bytes taken; absent before misses. */
    fastReadSpendMisses?(fh: number, index: number, fd: number, n: number): number;
    /** Patched fuse-native with memory entries (a small file read whole at open); absent before. */
    static SUPPORTS_FAST_READ_MEMORY: boolean | undefined;
    fastReadAddMemory?(fh: number, data: Buffer, blockSize: number): boolean;
    fastReadRemoveHandle(fh: number): void;
    /**
     * Writes the reads answered in C since the last call into `out` as native doubles: operations
     * and bytes from files (16 bytes), operations from memory entries (24 bytes; a binary before them writes 16),
     * then (48 bytes, a binary with misses) the file reads that returned miss bytes, those bytes, and
     * how many of those reads also returned hits.
     */
    fastReadTake(out: Buffer): void;
    /**
     * Patched fuse-native with the fast attr table (getattr and fgetattr answered in libfuse's threads,
     * packages/fuse-client/src/fast-attrs.ts); the methods are absent before it, and no-ops before the mount.
     */
    static SUPPORTS_FAST_ATTR: boolean | undefined;
    /**
     * getattrs of `path` answered with `stat` until `untilMs` (CLOCK_MONOTONIC in ms, process.hrtime's clock);
     * a new path is refused at `maxEntries`. The size the replaced entry told the kernel, or -1.
     */
    fastAttrPut?(path: string, stat: FuseStat, untilMs: number, maxEntries: number): number;
    /** Removes `path`'s entry once no getattr reads it: the size it told the kernel, or -1 (none, or no getattr read it). */
    fastAttrRemove?(path: string): number;
    fastAttrClear?(): void;
    /** The getattrs answered in C since the last call. */
    fastAttrTake?(): number;
    /** Patched fuse-native: small block files read and checked in C (readBlockFile, crc32c); absent before it. */
    static SUPPORTS_READ_BLOCK_FILE: boolean | undefined;
    /**
     * Reads the file `rel` ('/'-joined components, no links followed) below directory `root` whole into `into`,
     * with the checks of a local block file, and checks its CRC32C against `crc`: a status (small-block-files.ts).
     */
    static readBlockFile?(root: string, rel: string, into: Buffer, crc: number): number;
    /** The CRC32C readBlockFile checks with. */
    static crc32c?(data: Buffer): number;
    /** Patched fuse-native: releases answered in libfuse's threads and drained by JS in batches (releaseQueue). */
    static SUPPORTS_RELEASE_QUEUE: boolean | undefined;
    /**
     * From now on (after the mount) releases are answered in libfuse's threads and `drain` gets their
     * handles in batches; null: one by one through ops.release again. Whether the queue is on.
     */
    releaseQueue?(drain: ((handles: Float64Array) => void) | null): boolean;
    static EPERM: number; static ENOENT: number; static EIO: number; static EBADF: number;
    static EACCES: number; static ENOTDIR: number; static EISDIR: number; static EINVAL: number;
    static EROFS: number; static ENOSYS: number; static ENOTEMPTY: number; static ENAMETOOLONG: number;
    static EAGAIN: number; static ENOMEM: number; static EEXIST: number;
  }
  export default Fuse;
}

// The contract every under file system (bucket) driver fulfils: s3://, oss://, file://, eddy://.
// All drivers run the same conformance suite (packages/ufs/test/ufs-conformance.ts).
import type { Readable } from 'node:stream';

export interface UfsObjectInfo {
  /** Key relative to the mount's prefix, '/'-separated, no leading slash. */
  path: string;
  size: number;
  /** The ETag for S3/OSS (an object without one is refused), size + mtime + inode + ctime for file://. Never empty. */
  version: string;
  mtimeMs: number;
  /**
   * The store's id of this version when the bucket keeps object versions (S3 / OSS `versionId`):
   * `read(path, { versionId })` then returns these bytes even after the object was overwritten.
   * Absent when the bucket does not keep versions (or the version is S3's "null" version, which an
   * overwrite replaces in place).
   */
  versionId?: string;
}

export interface UfsListOptions {
  /** List every object below the prefix (true) or only direct children (false). Default true. */
  recursive?: boolean;
  signal?: AbortSignal;
}

export interface UfsListEntry extends UfsObjectInfo {
  /** Set for common prefixes of a non-recursive listing; size/version are then 0/''. */
  isDirectory?: boolean;
}

export interface UfsReadOptions {
  offset?: number;
  /** Bytes to read; omitted = to EOF. A range past EOF yields what exists (possibly nothing). */
  length?: number;
  /** Version the bytes must belong to; a mismatch rejects with VersionMismatchError. */
  ifMatch?: string;
  /**
   * Read this version of the object (a `versionId` from stat or list of a versioned bucket)
   * instead of the current one. `ifMatch` is still checked, against that version's ETag. An id
   * the store does not know is NotFoundError. Drivers without versions ignore it.
   */
  versionId?: string;
  signal?: AbortSignal;
}

/** Where a mount's bytes come from: its own store, or (eddy:// with a fallback) the bucket while the upstream is down. */
export type UfsSourceKind = 'upstream' | 'fallback';

export interface UnderFileSystem {
  /** A printable name for logs and errors: the mount URL without credentials. */
  readonly description: string;
  /** Set by drivers that can switch sources (eddy:// with fs.eddy.fallback): the one in use now. */
  readonly source?: UfsSourceKind;
  stat(path: string, options?: { signal?: AbortSignal }): Promise<UfsObjectInfo>;
  /** Paginated under the hood; yields entries in no guaranteed order. */
  list(prefix: string, options?: UfsListOptions): AsyncIterable<UfsListEntry>;
  /** Resolves once the store accepted the request (errors such as NotFound reject here, not mid-stream). */
  read(path: string, options?: UfsReadOptions): Promise<Readable>;
  close(): Promise<void>;
}

/** What a Dataset mount resolves to once Secrets are substituted. */
export interface UfsMountConfig {
  /** e.g. `s3://bucket/prefix`, `oss://bucket/prefix`, `file:///dir`. */
  url: string;
  /** Driver options, e.g. `fs.s3.endpoint`, credentials included. Never logged. */
  options: Record<string, string>;
}

// `file://` driver: a local directory as the bucket. Used by the embedded single-host setup and
// by tests. A file system has no ETag, so a version is built from the inode's identity and change
// times in nanoseconds (see fileVersion).
import { open, opendir, realpath, stat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import {
  AbortedError, AccessDeniedError, EddyError, NotFoundError, ValidationError, VersionMismatchError,
} from '@eddy/core';
import { silentLogger, type Logger } from '@eddy/core';
import type {
  UfsListEntry, UfsListOptions, UfsObjectInfo, UfsReadOptions, UnderFileSystem,
} from './under-file-system.js';
import { normalizeReadRange, normalizeUfsPath } from './normalize-ufs-path.js';

export interface FileUfsOptions {
  logger?: Logger;
  /** Directory relative `file://./dir` URLs resolve against. Default: process.cwd(). */
  cwd?: string;
}

/** `file:///abs/dir` → /abs/dir; `file://./dir` (or any non-absolute rest) → resolved against cwd. */
export function fileUrlToRoot(url: string, cwd = process.cwd()): string {
  if (!url.startsWith('file://')) throw new ValidationError(`not a file:// URL: ${url}`, 'url');
  const rest = url.slice('file://'.length);
  if (rest === '') throw new ValidationError('file:// URL needs a directory, e.g. file:///data or file://./data', 'url');
  if (rest.startsWith('/')) return resolve(fileURLToPath(`file://${rest}`));
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch (err) {
    throw new ValidationError(`file:// URL has a bad %-escape: ${url}`, 'url', { cause: err });
  }
  return resolve(cwd, decoded);
}

/**
 * The version of a file: size, mtime, inode and ctime, the times in nanoseconds. Size plus mtime
 * alone misses a same-size rewrite that keeps the mtime (`cp -p`, `rsync -t`, tar): such a copy
 * still changes the ctime (set by the kernel, not by utimes) and usually the inode, so the cache
 * never serves old bytes under the new content. Takes bigint stats: a double loses the nanoseconds.
 */
export function fileVersion(st: BigIntStats): string {
  return `${st.size}-${st.mtimeNs}-${st.ino}-${st.ctimeNs}`;
}

function objectInfo(path: string, st: BigIntStats): UfsObjectInfo {
  return { path, size: Number(st.size), version: fileVersion(st), mtimeMs: Number(st.mtimeNs) / 1e6 };
}

export class FileUfs implements UnderFileSystem {
  readonly description: string;
  /** Absolute root directory every key is resolved under. */
  readonly root: string;
  private readonly logger: Logger;
  private realRoot: Promise<string> | undefined;

  constructor(root: string, options: FileUfsOptions = {}) {
    if (!isAbsolute(root)) throw new ValidationError(`FileUfs root must be absolute, got ${root}`, 'url');
    this.root = resolve(root);
    this.description = `file://${this.root}`;
    this.logger = options.logger ?? silentLogger();
  }

  static fromUrl(url: string, options: FileUfsOptions = {}): FileUfs {
    return new FileUfs(fileUrlToRoot(url, options.cwd), options);
  }

  async stat(path: string, options: { signal?: AbortSignal } = {}): Promise<UfsObjectInfo> {
    const key = normalizeUfsPath(path);
    throwIfAborted(options.signal);
    const abs = await this.resolveInside(key);
    let st: BigIntStats;
    try {
      st = await stat(abs, { bigint: true });
    } catch (err) {
      throw this.mapError(err, key);
    }
    if (!st.isFile()) throw new NotFoundError(`${this.description}: ${JSON.stringify(key)} is not a file`);
    return objectInfo(key, st);
  }

  async *list(prefix: string, options: UfsListOptions = {}): AsyncIterable<UfsListEntry> {
    const base = normalizeUfsPath(prefix, { allowEmpty: true, field: 'prefix' });
    const recursive = options.recursive ?? true;
    const realRoot = await this.getRealRoot();
    const stack: string[] = [base];
    while (stack.length > 0) {
      const rel = stack.pop() as string;
      throwIfAborted(options.signal);
      let dir;
      try {
        dir = await opendir(rel === '' ? this.root : join(this.root, rel));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // The root itself missing is a missing bucket (a typo in the URL should not look like an
        // empty dataset); a missing prefix below it lists as empty, like an object store.
        if (rel === '' && (code === 'ENOENT' || code === 'ENOTDIR')) {
          throw new NotFoundError(`${this.description}: the directory ${JSON.stringify(this.root)} does not exist (check the file:// URL)`, { cause: err });
        }
        if (code === 'ENOENT' || code === 'ENOTDIR') continue;
        throw this.mapError(err, rel);
      }
      for await (const dirent of dir) {
        throwIfAborted(options.signal);
        const childRel = rel === '' ? dirent.name : `${rel}/${dirent.name}`;
        const abs = join(this.root, childRel);
        let isDir = dirent.isDirectory();
        let isFile = dirent.isFile();
        if (dirent.isSymbolicLink()) {
          // Follow links only to files inside the root; linked directories could loop or escape.
          try {
            const target = await realpath(abs);
            if (!isInside(realRoot, target)) continue;
            const st = await stat(target);
            isFile = st.isFile();
            isDir = false;
          } catch {
            continue;
          }
        }
        if (isDir) {
          if (recursive) stack.push(childRel);
          else yield { path: childRel, size: 0, version: '', mtimeMs: 0, isDirectory: true };
        } else if (isFile) {
          let st: BigIntStats;
          try {
            st = await stat(abs, { bigint: true });
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed while listing
            throw this.mapError(err, childRel);
          }
          yield objectInfo(childRel, st);
        }
      }
    }
  }

  async read(path: string, options: UfsReadOptions = {}): Promise<Readable> {
    const key = normalizeUfsPath(path);
    const { offset, length } = normalizeReadRange(options.offset, options.length);
    throwIfAborted(options.signal);
    const abs = await this.resolveInside(key);
    let fh;
    try {
      fh = await open(abs, 'r');
    } catch (err) {
      throw this.mapError(err, key);
    }
    try {
      // Checking the version on the open descriptor ties the check to the bytes we stream.
      const st = await fh.stat({ bigint: true });
      if (!st.isFile()) throw new NotFoundError(`${this.description}: ${JSON.stringify(key)} is not a file`);
      if (options.ifMatch !== undefined && options.ifMatch !== fileVersion(st)) {
        throw new VersionMismatchError(`${this.description}: ${JSON.stringify(key)} is at version ${fileVersion(st)}, not ${options.ifMatch}`);
      }
      throwIfAborted(options.signal);
      const size = Number(st.size);
      const end = length === undefined ? size : Math.min(size, offset + length);
      if (offset >= end) {
        await fh.close();
        return Readable.from([]);
      }
      return fh.createReadStream({ start: offset, end: end - 1, autoClose: true, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    // Nothing pooled: every read owns its descriptor.
  }

  private async getRealRoot(): Promise<string> {
    this.realRoot ??= realpath(this.root).catch(() => this.root);
    return await this.realRoot;
  }

  /** Absolute path of `key`, refusing symlinks that lead outside the root. */
  private async resolveInside(key: string): Promise<string> {
    const abs = join(this.root, key);
    let real: string;
    try {
      real = await realpath(abs);
    } catch (err) {
      throw this.mapError(err, key);
    }
    if (!isInside(await this.getRealRoot(), real)) {
      this.logger.warn({ key }, 'refused a path that resolves outside the mount root');
      throw new AccessDeniedError(`${this.description}: ${JSON.stringify(key)} resolves outside the mount root`);
    }
    return real;
  }

  private mapError(err: unknown, key: string): Error {
    if (err instanceof EddyError) return err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return new NotFoundError(`${this.description}: no such object ${JSON.stringify(key)}`, { cause: err });
    if (code === 'EACCES' || code === 'EPERM') return new AccessDeniedError(`${this.description}: permission denied for ${JSON.stringify(key)}`, { cause: err });
    if ((err as Error).name === 'AbortError') return new AbortedError(undefined, { cause: err });
    return err as Error;
  }
}

function isInside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError();
}

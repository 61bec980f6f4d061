// The open file handles of a mount, and the version bookkeeping that keeps the kernel's page
// cache from mixing versions: which version each open pins, and which one is the newest opened.
import { LRUCache } from 'lru-cache';
import { BadHandleError } from './fuse-errors.js';
import type { FileAttr } from './metadata-cache.js';
import type { FileHandle } from './read-path/file-handle.js';

export interface OpenHandle { readonly file: FileHandle; readonly attr: FileAttr }

/** libfuse trusts reported attributes from when it handles the reply; we keep them this much longer. */
const REPORTED_SLACK_MS = 2_000;
const MAX_FD = 0x7fffffff;

export class OpenHandles {
  readonly #handles = new Map<number, OpenHandle>();
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
  #nextFd = 1;

  /** `attrTimeoutMs`: the kernel's (and auto_cache's) attribute timeout; `maxReported`: bound on the paths remembered. */
  constructor(attrTimeoutMs: number, maxReported: number) {
    // Kept a little longer than libfuse trusts it: pinning the told version a moment too long is
    // harmless, a moment too short lets pages of two versions meet.
    this.#reported = attrTimeoutMs > 0
      ? new LRUCache<string, FileAttr>({ max: maxReported, ttl: attrTimeoutMs + REPORTED_SLACK_MS, updateAgeOnGet: false })
      : undefined;
  }

  get size(): number { return this.#handles.size; }

  /** Notes the attributes the kernel is being told about a file. */
  reported(attr: FileAttr): void {
    if (!attr.isDir) this.#reported?.set(attr.path, attr);
  }

  /** The version a new handle of `attr.path` must pin: what the kernel was last told while it still trusts it, else `attr`. */
  versionToPin(attr: FileAttr): FileAttr {
    const told = this.#reported?.get(attr.path);
    return told && told.version !== attr.version ? told : attr;
  }

  find(fd: number): OpenHandle | undefined {
    return this.#handles.get(fd);
  }

  get(fd: number): OpenHandle {
    const h = this.#handles.get(fd);
    if (!h) throw new BadHandleError(fd);
    return h;
  }

  add(handle: OpenHandle): number {
    const fd = this.#nextFd++;
    if (this.#nextFd > MAX_FD) this.#nextFd = 1;
    this.#handles.set(fd, handle);
    const { path, version, mtimeMs } = handle.attr;
    const newest = this.#newestOpened.get(path);
    if (!newest) {
      this.#newestOpened.set(path, { version, mtimeMs, openHandles: 1 });
    } else {
      newest.openHandles += 1;
      if (newest.version !== version && mtimeMs >= newest.mtimeMs) {
        newest.version = version;
        newest.mtimeMs = mtimeMs;
      }
    }
    return fd;
  }

  /** Whether a newer version of the handle's file was opened since (its reads must fail). */
  superseded(h: OpenHandle): boolean {
    const newest = this.#newestOpened.get(h.attr.path);
    return newest !== undefined && newest.version !== h.attr.version;
  }

  release(fd: number): void {
    const h = this.#handles.get(fd);
    this.#handles.delete(fd);
    if (!h) return;
    h.file.close();
    // Forgotten only when no handle of the path is left, old or new.
    const newest = this.#newestOpened.get(h.attr.path);
    if (newest && --newest.openHandles <= 0) this.#newestOpened.delete(h.attr.path);
  }

  closeAll(): void {
    for (const h of this.#handles.values()) h.file.close();
    this.#handles.clear();
    this.#newestOpened.clear();
  }
}

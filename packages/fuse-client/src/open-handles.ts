// The open file handles of a mount: fd → the handle's file (its pinned version and read state).
import { BadHandleError } from './fuse-errors.js';
import type { FileAttr } from './metadata-cache.js';
import type { FileHandle } from './read-path/file-handle.js';

export interface OpenHandle { readonly file: FileHandle; readonly attr: FileAttr }

const MAX_FD = 0x7fffffff;

export class OpenHandles {
  readonly #handles = new Map<number, OpenHandle>();
  #nextFd = 1;

  get size(): number { return this.#handles.size; }

  find(fd: number): OpenHandle | undefined {
    return this.#handles.get(fd);
  }

  get(fd: number): OpenHandle {
    const h = this.#handles.get(fd);
    if (!h) throw new BadHandleError(fd);
    return h;
  }

  /** A new fd, for the handle `make` builds for it (the read path keys on the fd): the handle and its fd. */
  add(make: (fd: number) => OpenHandle): OpenHandle & { fd: number } {
    const fd = this.#nextFd++;
    if (this.#nextFd > MAX_FD) this.#nextFd = 1;
    const h = make(fd);
    this.#handles.set(fd, h);
    return { ...h, fd };
  }

  /** Forgets `fd` and closes its file; the handle, or undefined if it was not open. */
  release(fd: number): OpenHandle | undefined {
    const h = this.#handles.get(fd);
    this.#handles.delete(fd);
    h?.file.close();
    return h;
  }

  /** Closes every handle; returns them. */
  closeAll(): OpenHandle[] {
    const all = [...this.#handles.values()];
    for (const h of all) h.file.close();
    this.#handles.clear();
    return all;
  }
}

// What the bench's own fuse-native filesystems share (null-fs, the ceiling; s3-passthrough-fs and
// tcp-fs, the floors): fuse-native loaded with the few typings they need, a read-only tree of
// paths and sizes answered from memory (getattr, readdir), and one mount with the same options for
// all of them, so that they differ only in where a read's bytes come from.
import { createRequire } from 'node:module';

export interface Stat { mode: number; uid: number; gid: number; size: number; nlink: number; mtime: Date; atime: Date; ctime: Date }
export type Cb<T> = (err: number, value?: T) => void;
export type ReadCb = (bytesOrErr: number) => void;

interface FuseInstance {
  mount(cb: (err: Error | null) => void): void;
  unmount(cb: (err: Error | null) => void): void;
  /** Patched fuse-native (patches/): a whole small file answered in C from `data` for handle fh. */
  fastReadAddMemory?(fh: number, data: Buffer, blockSize: number): boolean;
  fastReadRemove?(fh: number, index: number, fd: number): number | undefined;
}
interface FuseCtor {
  new (mnt: string, ops: Record<string, (...args: never[]) => void>, opts: Record<string, unknown>): FuseInstance;
  ENOENT: number;
  EIO: number;
  EBADF: number;
  SUPPORTS_FAST_READ_MEMORY?: boolean;
}

export const Fuse = createRequire(import.meta.url)('fuse-native') as FuseCtor;
export type { FuseInstance };

/** A read-only tree: files (path → size) and the directories their paths imply. */
export class FuseTree {
  readonly files = new Map<string, number>();
  readonly #dirs = new Map<string, Set<string>>([['/', new Set()]]);
  readonly #now = new Date();

  /** Adds a file (path relative to the root, or absolute); returns its absolute path. */
  add(path: string, size: number): string {
    const full = `/${path.replace(/^\/+/, '')}`;
    this.files.set(full, size);
    const parts = full.split('/').filter(Boolean);
    let parent = '/';
    for (let i = 0; i < parts.length; i++) {
      const child = parent === '/' ? `/${parts[i]}` : `${parent}/${parts[i]}`;
      this.#dirs.get(parent)!.add(parts[i]!);
      if (i < parts.length - 1 && !this.#dirs.has(child)) this.#dirs.set(child, new Set());
      parent = child;
    }
    return full;
  }

  #stat(mode: number, size: number): Stat {
    return { mode, uid: 0, gid: 0, size, nlink: 1, mtime: this.#now, atime: this.#now, ctime: this.#now };
  }

  readdir(path: string, cb: Cb<string[]>): void {
    const d = this.#dirs.get(path);
    if (!d) { cb(Fuse.ENOENT); return; }
    cb(0, [...d]);
  }

  getattr(path: string, cb: Cb<Stat>): void {
    if (this.#dirs.has(path)) { cb(0, this.#stat(0o40555, 4096)); return; }
    const size = this.files.get(path);
    if (size === undefined) { cb(Fuse.ENOENT); return; }
    cb(0, this.#stat(0o100444, size));
  }
}

/** Mounts `ops` at `mnt` (entry/attr timeout 60 s, as the ceiling always had) and unmounts on SIGTERM/SIGINT. */
export function mountFuse(mnt: string, ops: Record<string, unknown>, onMounted: () => void): FuseInstance {
  const fuse = new Fuse(mnt, ops as Record<string, (...args: never[]) => void>, { force: true, mkdir: true, entryTimeout: 60, attrTimeout: 60 });
  fuse.mount((err) => {
    if (err) { console.error(`mount failed: ${err.message}`); process.exit(1); }
    onMounted();
  });
  const stop = (): void => { fuse.unmount(() => process.exit(0)); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return fuse;
}

// The FUSE ceiling: a read-only fuse-native filesystem that serves a given tree of file sizes
// from one in-memory buffer and does nothing else. Whatever Eddy's FUSE client adds on top of
// this (metadata lookups, block location, data channel) is its overhead; nothing served through
// fuse-native can be faster than this on the same machine. A file whose bytes a reader parses (the
// safetensors checkpoint) names a local `source`: it is loaded into memory and served as it is.
//   node bench/lib/null-fs.js --mount DIR --spec tree.json    (tree.json: [{"path","size","source"?}])
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

interface Stat { mode: number; uid: number; gid: number; size: number; nlink: number; mtime: Date; atime: Date; ctime: Date }
type Cb<T> = (err: number, value?: T) => void;
interface FuseInstance { mount(cb: (err: Error | null) => void): void; unmount(cb: (err: Error | null) => void): void }
interface FuseCtor {
  new (mnt: string, ops: Record<string, (...args: never[]) => void>, opts: Record<string, unknown>): FuseInstance;
  ENOENT: number;
}
const Fuse = createRequire(import.meta.url)('fuse-native') as FuseCtor;

const { values } = parseArgs({ options: { mount: { type: 'string' }, spec: { type: 'string' } } });
if (!values.mount || !values.spec) {
  console.error('usage: null-fs --mount DIR --spec tree.json');
  process.exit(2);
}
const mnt = values.mount;
const files = new Map<string, number>();
const sources = new Map<string, Buffer>();
const dirs = new Map<string, Set<string>>([['/', new Set()]]);
for (const { path, size, source } of JSON.parse(readFileSync(values.spec, 'utf8')) as { path: string; size: number; source?: string }[]) {
  const full = `/${path.replace(/^\/+/, '')}`;
  files.set(full, size);
  if (source) sources.set(full, readFileSync(source));
  const parts = full.split('/').filter(Boolean);
  let parent = '/';
  for (let i = 0; i < parts.length; i++) {
    const child = parent === '/' ? `/${parts[i]}` : `${parent}/${parts[i]}`;
    dirs.get(parent)!.add(parts[i]!);
    if (i < parts.length - 1 && !dirs.has(child)) dirs.set(child, new Set());
    parent = child;
  }
}

const DATA = randomBytes(16 * 1024 * 1024);
const now = new Date();
const stat = (mode: number, size: number): Stat => ({ mode, uid: 0, gid: 0, size, nlink: 1, mtime: now, atime: now, ctime: now });

const ops = {
  readdir(path: string, cb: Cb<string[]>) {
    const d = dirs.get(path);
    if (!d) { cb(Fuse.ENOENT); return; }
    cb(0, [...d]);
  },
  getattr(path: string, cb: Cb<Stat>) {
    if (dirs.has(path)) { cb(0, stat(0o40555, 4096)); return; }
    const size = files.get(path);
    if (size === undefined) { cb(Fuse.ENOENT); return; }
    cb(0, stat(0o100444, size));
  },
  open(path: string, _flags: number, cb: Cb<number>) {
    if (!files.has(path)) { cb(Fuse.ENOENT); return; }
    cb(0, 42);
  },
  release(_path: string, _fd: number, cb: (err: number) => void) { cb(0); },
  read(path: string, _fd: number, buf: Buffer, len: number, pos: number, cb: (n: number) => void) {
    const size = files.get(path) ?? 0;
    const n = Math.max(0, Math.min(len, size - pos));
    const src = sources.get(path);
    if (src) { cb(src.copy(buf, 0, pos, pos + n)); return; }
    let done = 0;
    while (done < n) {
      const off = (pos + done) % DATA.length;
      done += DATA.copy(buf, done, off, Math.min(DATA.length, off + n - done));
    }
    cb(n);
  },
};

const fuse = new Fuse(mnt, ops as unknown as Record<string, (...args: never[]) => void>, { force: true, mkdir: true, entryTimeout: 60, attrTimeout: 60 });
fuse.mount((err) => {
  if (err) { console.error(`mount failed: ${err.message}`); process.exit(1); }
  console.error(`null-fs mounted at ${mnt} (${files.size} files)`);
});
const stop = (): void => { fuse.unmount(() => process.exit(0)); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

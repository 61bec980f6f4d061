// The FUSE ceiling: a read-only fuse-native filesystem that serves a given tree of file sizes
// from one in-memory buffer and does nothing else. Whatever Eddy's FUSE client adds on top of
// this (metadata lookups, block location, data channel) is its overhead; nothing served through
// fuse-native can be faster than this on the same machine. A file whose bytes a reader parses (the
// safetensors checkpoint) names a local `source`: it is loaded into memory and served as it is.
//   node bench/lib/null-fs.js --mount DIR --spec tree.json    (tree.json: [{"path","size","source"?}])
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Fuse, FuseTree, mountFuse, type Cb, type ReadCb, type Stat } from './src/fuse/fuse-tree.js';

const { values } = parseArgs({ options: { mount: { type: 'string' }, spec: { type: 'string' } } });
if (!values.mount || !values.spec) {
  console.error('usage: null-fs --mount DIR --spec tree.json');
  process.exit(2);
}
const mnt = values.mount;
const tree = new FuseTree();
const sources = new Map<string, Buffer>();
for (const { path, size, source } of JSON.parse(readFileSync(values.spec, 'utf8')) as { path: string; size: number; source?: string }[]) {
  const full = tree.add(path, size);
  if (source) sources.set(full, readFileSync(source));
}

const DATA = randomBytes(16 * 1024 * 1024);

const ops = {
  readdir(path: string, cb: Cb<string[]>) { tree.readdir(path, cb); },
  getattr(path: string, cb: Cb<Stat>) { tree.getattr(path, cb); },
  open(path: string, _flags: number, cb: Cb<number>) {
    if (!tree.files.has(path)) { cb(Fuse.ENOENT); return; }
    cb(0, 42);
  },
  release(_path: string, _fd: number, cb: (err: number) => void) { cb(0); },
  read(path: string, _fd: number, buf: Buffer, len: number, pos: number, cb: ReadCb) {
    const size = tree.files.get(path) ?? 0;
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

mountFuse(mnt, ops, () => { console.error(`null-fs mounted at ${mnt} (${tree.files.size} files)`); });

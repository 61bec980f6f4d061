// A floor, a measurement tool, not a product (issue 17 item 6): a null-fs-like fuse-native
// filesystem whose reads take their bytes from a raw TCP stream. Each open connects once to the
// remote-workers bench's raw TCP sender (bench/src/remote/tcp-stream.ts), which sends the file's
// size in bytes and ends; reads are answered from what has arrived, in order. Run in the mount's
// network namespace with the sender in the workers', it measures TCP + FUSE on the same cores with
// no Eddy code: no framing, no block lookup, no pins, no copy but the one into FUSE's buffer.
// The bytes are the sender's (one random buffer), counted by the readers, not checked.
//   node bench/lib/tcp-fs.js --mount DIR --spec tree.json --connect HOST:PORT    (tree.json: [{"path","size"}])
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { Fuse, FuseTree, mountFuse, type Cb, type ReadCb, type Stat } from './src/fuse/fuse-tree.js';

const { values } = parseArgs({ options: { mount: { type: 'string' }, spec: { type: 'string' }, connect: { type: 'string' } } });
if (!values.mount || !values.spec || !values.connect) {
  console.error('usage: tcp-fs --mount DIR --spec tree.json --connect HOST:PORT');
  process.exit(2);
}
const sep = values.connect.lastIndexOf(':');
const HOST = values.connect.slice(0, sep);
const PORT = Number(values.connect.slice(sep + 1));
/** Bytes kept behind the furthest read (FUSE's concurrent reads can arrive slightly out of order). */
const KEEP = 4 * 1024 * 1024;
/** The socket is paused when this much has arrived beyond the furthest read (the reader is slower). */
const AHEAD = 32 * 1024 * 1024;

/** One file's bytes as they arrive on its connection; reads wait for the bytes they need. */
class Stream {
  readonly #socket: Socket;
  readonly #chunks: Buffer[] = [];
  /** File offset of #chunks[0]. */
  #start = 0;
  #received = 0;
  #served = 0;
  #ended = false;
  #err: Error | undefined;
  #waiters: { need: number; resolve: () => void }[] = [];

  constructor(readonly size: number) {
    this.#socket = connect({ host: HOST, port: PORT });
    this.#socket.on('data', (d: Buffer) => {
      this.#chunks.push(d);
      this.#received += d.length;
      if (this.#received - this.#served > AHEAD) this.#socket.pause();
      this.#wake();
    });
    this.#socket.once('end', () => { this.#ended = true; this.#wake(); });
    this.#socket.once('error', (err) => { this.#err = err; this.#ended = true; this.#wake(); });
  }

  async read(buf: Buffer, len: number, pos: number): Promise<number> {
    const end = Math.min(this.size, pos + len);
    if (pos >= end) return 0;
    if (pos < this.#start) throw new Error(`read at ${pos} is behind the kept bytes (from ${this.#start})`);
    if (this.#received < end && !this.#ended) await new Promise<void>((resolve) => this.#waiters.push({ need: end, resolve }));
    if (this.#received < end) throw this.#err ?? new Error(`the stream ended at ${this.#received} of ${end}`);
    let off = this.#start;
    let done = 0;
    for (const c of this.#chunks) {
      const cEnd = off + c.length;
      if (cEnd > pos + done) done += c.copy(buf, done, pos + done - off, Math.min(c.length, end - off));
      off = cEnd;
      if (pos + done >= end) break;
    }
    this.#served = Math.max(this.#served, end);
    while (this.#chunks.length > 0 && this.#start + this.#chunks[0]!.length <= this.#served - KEEP) this.#start += this.#chunks.shift()!.length;
    if (this.#socket.isPaused() && this.#received - this.#served < AHEAD / 2) this.#socket.resume();
    return done;
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => {
      if (this.#received < w.need && !this.#ended) return true;
      w.resolve();
      return false;
    });
  }

  close(): void { this.#socket.destroy(); }
}

const tree = new FuseTree();
for (const { path, size } of JSON.parse(readFileSync(values.spec, 'utf8')) as { path: string; size: number }[]) tree.add(path, size);
const handles = new Map<number, Stream>();
let nextFh = 1;

const ops = {
  readdir(path: string, cb: Cb<string[]>) { tree.readdir(path, cb); },
  getattr(path: string, cb: Cb<Stat>) { tree.getattr(path, cb); },
  open(path: string, _flags: number, cb: Cb<number>) {
    const size = tree.files.get(path);
    if (size === undefined) { cb(Fuse.ENOENT); return; }
    const fh = nextFh++;
    handles.set(fh, new Stream(size));
    cb(0, fh);
  },
  release(_path: string, fh: number, cb: (err: number) => void) {
    handles.get(fh)?.close();
    handles.delete(fh);
    cb(0);
  },
  read(path: string, fh: number, buf: Buffer, len: number, pos: number, cb: ReadCb) {
    const s = handles.get(fh);
    if (!s) { cb(Fuse.EBADF); return; }
    s.read(buf, len, pos).then(cb, (err: unknown) => {
      console.error(`read ${path} at ${pos}: ${String(err)}`);
      cb(Fuse.EIO);
    });
  },
};

const mnt = values.mount;
mountFuse(mnt, ops, () => { console.error(`tcp-fs mounted at ${mnt} (${tree.files.size} files, bytes from ${values.connect})`); });

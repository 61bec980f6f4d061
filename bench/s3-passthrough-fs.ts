// A floor, a measurement tool, not a product (issue 17): the bench bucket served straight from S3
// by a fuse-native filesystem with no cache and no Eddy code. The entries come from one listing
// before the mount; a file of at most --whole-kib is read whole at its open in one GET and answered
// from memory (in C, by the patched fuse-native's memory entries, as Eddy answers its small files);
// a larger file is read with 16 MiB ranged GETs, --ahead of them in flight ahead of each reader (the
// shape of the bench's direct-ranged reference), each range's bytes handed to the reads waiting on
// them as they arrive. The ranged GETs run in --fetch-threads worker threads (default 2, one per
// core here; 0: on the main thread), as Eddy's own GETs run in its worker processes, so that HTTP
// does not share the FUSE thread's core. Eddy's cold read does all of this and more (it also writes
// its cache and asks its master and workers), so what this reaches bounds what a Node/fuse-native
// client that reads the bucket can reach on this machine.
//   node bench/lib/s3-passthrough-fs.js --mount DIR --config s3.json [--range-mib 16] [--ahead 8] [--whole-kib 1024] [--fetch-threads 2]
// s3.json: the bench's S3Access. Once mounted it prints "listed N objects in X ms".
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import * as Minio from 'minio';
import { Fuse, FuseTree, mountFuse, type Cb, type FuseInstance, type ReadCb, type Stat } from './src/fuse/fuse-tree.js';
import type { S3Access } from './src/targets/target.js';
import type { FetchJob, FetchNews } from './src/fuse/range-fetch-worker.js';

const { values } = parseArgs({ options: {
  mount: { type: 'string' }, config: { type: 'string' },
  'range-mib': { type: 'string', default: '16' }, ahead: { type: 'string', default: '8' }, 'whole-kib': { type: 'string', default: '1024' },
  'fetch-threads': { type: 'string', default: '2' },
} });
if (!values.mount || !values.config) {
  console.error('usage: s3-passthrough-fs --mount DIR --config s3.json [--range-mib 16] [--ahead 8] [--whole-kib 1024]');
  process.exit(2);
}
const RANGE = Number(values['range-mib']) * 1024 * 1024;
const AHEAD = Number(values.ahead);
const WHOLE = Number(values['whole-kib']) * 1024;
/** The memory entries' block size (one per mount): any size above WHOLE. */
const MEM_BLOCK = Math.max(RANGE, WHOLE);
const s3 = JSON.parse(readFileSync(values.config, 'utf8')) as S3Access;
const useSSL = s3.endpoint.startsWith('https:');
const agent = useSSL ? new HttpsAgent({ keepAlive: true, maxSockets: 256 }) : new HttpAgent({ keepAlive: true, maxSockets: 256 });
const client = new Minio.Client({ endPoint: s3.host, port: s3.port, useSSL, accessKey: s3.accessKey, secretKey: s3.secretKey,
  region: s3.region, pathStyle: true, transportAgent: agent });
const FETCH_WORKER = new URL('./src/fuse/range-fetch-worker.js', import.meta.url);
const FETCH_THREADS = Number(values['fetch-threads']);
/** Started at the first ranged read, so that they take no CPU from the listing or from small files. */
const fetchers: Worker[] = [];
/** Ranges fetched by a thread, by job id. */
const remote = new Map<number, Range>();
let nextJob = 1;

function startFetchers(): void {
  while (fetchers.length < FETCH_THREADS) {
    const w = new Worker(FETCH_WORKER, { workerData: s3 });
    w.unref();
    w.on('message', (m: FetchNews) => { remote.get(m.id)?.news(m); });
    w.on('error', (err) => { console.error(`fetch thread: ${String(err)}`); process.exit(1); });
    fetchers.push(w);
  }
}

/** One ranged GET whose bytes land in its own buffer; reads wait for the prefix they need. */
class Range {
  readonly buf: Buffer;
  filled = 0;
  done = false;
  err: Error | undefined;
  #stream: Readable | undefined;
  #job: { id: number; worker: Worker } | undefined;
  #waiters: { need: number; resolve: () => void }[] = [];

  constructor(key: string, readonly offset: number, readonly length: number) {
    startFetchers();
    if (fetchers.length > 0) {
      const sab = new SharedArrayBuffer(length);
      this.buf = Buffer.from(sab);
      const id = nextJob++;
      const worker = fetchers[id % fetchers.length]!;
      this.#job = { id, worker };
      remote.set(id, this);
      worker.postMessage({ id, key, offset, length, sab } satisfies FetchJob);
      return;
    }
    this.buf = Buffer.allocUnsafe(length);
    client.getPartialObject(s3.bucket, key, offset, length).then((stream) => {
      if (this.done) { stream.destroy(); return; }
      this.#stream = stream;
      stream.on('data', (c: Buffer) => {
        this.filled += c.copy(this.buf, this.filled);
        this.#wake();
      });
      stream.once('end', () => { this.#finish(this.filled === length ? undefined : new Error(`short range: ${this.filled} of ${length}`)); });
      stream.once('error', (err) => { this.#finish(err); });
    }, (err: Error) => { this.#finish(err); });
  }

  async until(need: number): Promise<void> {
    if (this.filled >= need || this.done) return;
    await new Promise<void>((resolve) => this.#waiters.push({ need, resolve }));
  }

  /** Progress from the fetch thread (its writes to the shared buffer happened before it posted). */
  news(m: FetchNews): void {
    this.filled = m.filled;
    if (m.done) this.#finish(m.err === undefined ? undefined : new Error(m.err));
    else this.#wake();
  }

  abort(): void {
    if (this.#job && !this.done) this.#job.worker.postMessage({ abort: this.#job.id } satisfies FetchJob);
    this.#stream?.destroy();
    this.#finish(new Error('aborted'));
  }

  #finish(err: Error | undefined): void {
    if (this.done) return;
    if (this.#job) remote.delete(this.#job.id);
    this.err = err;
    this.done = true;
    this.#wake();
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => {
      if (this.filled < w.need && !this.done) return true;
      w.resolve();
      return false;
    });
  }
}

/** A sequential reader of a large file: the ranges from its position to AHEAD - 1 past it are requested. */
class Sequential {
  readonly #ranges = new Map<number, Range>();
  readonly #last: number;
  constructor(readonly key: string, readonly size: number) { this.#last = Math.ceil(size / RANGE) - 1; }

  async read(buf: Buffer, len: number, pos: number): Promise<number> {
    const end = Math.min(this.size, pos + len);
    let done = 0;
    while (pos + done < end) {
      const at = pos + done;
      const idx = Math.floor(at / RANGE);
      this.#ahead(idx);
      const r = this.#ranges.get(idx)!;
      const hi = Math.min(r.length, end - r.offset);
      await r.until(hi);
      if (r.filled < hi) throw r.err ?? new Error('range ended early');
      done += r.buf.copy(buf, done, at - r.offset, hi);
    }
    return done;
  }

  #ahead(idx: number): void {
    // One range behind the reader is kept: concurrent FUSE reads can arrive slightly out of order.
    for (const [i, r] of this.#ranges) if (i < idx - 1) { r.abort(); this.#ranges.delete(i); }
    for (let i = idx; i <= Math.min(this.#last, idx + AHEAD - 1); i++) {
      if (!this.#ranges.has(i)) this.#ranges.set(i, new Range(this.key, i * RANGE, Math.min(RANGE, this.size - i * RANGE)));
    }
  }

  close(): void {
    for (const r of this.#ranges.values()) r.abort();
    this.#ranges.clear();
  }
}

async function getWhole(key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await client.getObject(s3.bucket, key)) chunks.push(c as Buffer);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

type Handle = { kind: 'whole'; data: Buffer; inC: boolean } | { kind: 'sequential'; reader: Sequential };

const tree = new FuseTree();
const handles = new Map<number, Handle>();
let nextFh = 1;
/** Set once mounted: ops run only after that. */
const mounted: { fuse?: FuseInstance } = {};
const memOk = Fuse.SUPPORTS_FAST_READ_MEMORY === true;

const ops = {
  readdir(path: string, cb: Cb<string[]>) { tree.readdir(path, cb); },
  getattr(path: string, cb: Cb<Stat>) { tree.getattr(path, cb); },
  open(path: string, _flags: number, cb: Cb<number>) {
    const size = tree.files.get(path);
    if (size === undefined) { cb(Fuse.ENOENT); return; }
    const fh = nextFh++;
    const key = path.slice(1);
    if (size > WHOLE) {
      handles.set(fh, { kind: 'sequential', reader: new Sequential(key, size) });
      cb(0, fh);
      return;
    }
    getWhole(key).then((data) => {
      const inC = memOk && data.length > 0 && mounted.fuse?.fastReadAddMemory?.(fh, data, MEM_BLOCK) === true;
      handles.set(fh, { kind: 'whole', data, inC });
      cb(0, fh);
    }, (err: unknown) => {
      console.error(`GET ${key}: ${String(err)}`);
      cb(Fuse.EIO);
    });
  },
  release(_path: string, fh: number, cb: (err: number) => void) {
    const h = handles.get(fh);
    handles.delete(fh);
    if (h?.kind === 'sequential') h.reader.close();
    // The entry goes before the buffer can: a memcpy in flight is waited for.
    if (h?.kind === 'whole' && h.inC) mounted.fuse?.fastReadRemove?.(fh, 0, -1);
    cb(0);
  },
  read(_path: string, fh: number, buf: Buffer, len: number, pos: number, cb: ReadCb) {
    const h = handles.get(fh);
    if (!h) { cb(Fuse.EBADF); return; }
    if (h.kind === 'whole') { cb(pos >= h.data.length ? 0 : h.data.copy(buf, 0, pos, Math.min(h.data.length, pos + len))); return; }
    h.reader.read(buf, len, pos).then(cb, (err: unknown) => {
      console.error(`read ${h.reader.key} at ${pos}: ${String(err)}`);
      cb(Fuse.EIO);
    });
  },
};

const t0 = performance.now();
for await (const o of client.listObjectsV2(s3.bucket, '', true) as AsyncIterable<Minio.BucketItem>) {
  if (o.name) tree.add(o.name, o.size);
}
const listMs = Math.round(performance.now() - t0);
const mnt = values.mount;
mounted.fuse = mountFuse(mnt, ops, () => {
  console.error(`s3-passthrough-fs mounted at ${mnt}: listed ${tree.files.size} objects in ${listMs} ms`
    + ` (${RANGE / 1024 ** 2} MiB ranges, ${AHEAD} ahead, ${FETCH_THREADS} fetch threads;`
    + ` whole at open up to ${WHOLE / 1024} KiB${memOk ? ', answered in C' : ''})`);
});

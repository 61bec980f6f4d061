// Short-circuit reads keep the block file open: the worker verifies a block's checksum each time
// it pins it for a local reader, so pinning once per 1 MiB read would checksum a 16 MiB block
// sixteen times. Pins (and their open files) are kept in a small LRU shared by all handles and
// released when evicted, after a short idle time, or at close; a block in use is closed only
// once its last read finished.
import { readSync } from 'node:fs';
import { open, statfs, type FileHandle } from 'node:fs/promises';
import { LRUCache } from 'lru-cache';
import type { proto } from '@eddy/protocol';
import type { DataChannel } from './sources.js';

interface LocalFile {
  fh: FileHandle;
  /** The file lives in memory (tmpfs, the MEM tier): a pread is a memcpy and is done inline. */
  inMemory: boolean;
  release(): void | Promise<void>;
  users: number;
  disposed: boolean;
}

/** Pinned local blocks kept open at once. */
const MAX_OPEN = 64;
/** An unused pin is released after this long, so the worker may evict or free the block. */
const IDLE_MS = 10_000;
/** "Not local" answers are remembered briefly: the block may land in a file tier soon. */
const MISS_MS = 2_000;
const TMPFS_MAGIC = 0x01021994;

async function closeLocal(f: LocalFile): Promise<void> {
  await f.fh.close().catch(() => undefined);
  await Promise.resolve(f.release()).catch(() => undefined);
}

export class LocalBlocks {
  readonly #cache = new LRUCache<string, Promise<LocalFile | null>>({
    max: MAX_OPEN,
    ttl: IDLE_MS,
    updateAgeOnGet: true,
    dispose: (p) => {
      void p.then((f) => {
        if (!f) return;
        f.disposed = true;
        if (f.users === 0) void closeLocal(f);
      }, () => undefined);
    },
  });

  /** `length` bytes at `offset` of block `ref` read from its local file; null when not local. */
  async read(channel: DataChannel, address: string, ref: proto.BlockRef, offset: number, length: number, options: { retryMiss?: boolean } = {}): Promise<Buffer | null> {
    const buf = Buffer.allocUnsafe(length);
    const n = await this.readInto(channel, address, ref, offset, buf, length, options);
    return n === null ? null : buf;
  }

  /** Remembered "not local" answers, so `pin(..., { retryMiss })` can ask again at once. */
  readonly #misses = new WeakSet<Promise<LocalFile | null>>();

  /**
   * Pins block `ref` and opens its file (or reuses the pin); null when not local. `retryMiss`:
   * ask again even if the worker said "not local" a moment ago (it has just stored the block).
   */
  async pin(channel: DataChannel, address: string, ref: proto.BlockRef, options: { retryMiss?: boolean } = {}): Promise<LocalFile | null> {
    const id = `${address}\u0000${ref.key!}`;
    let p = this.#cache.get(id);
    if (p && options.retryMiss && this.#misses.has(p)) {
      this.#cache.delete(id);
      p = undefined;
    }
    if (!p) {
      p = (async () => {
        const local = await channel.openLocal(ref);
        if (!local) return null;
        try {
          const fh = await open(local.path, 'r');
          const inMemory = await statfs(local.path).then((st) => st.type === TMPFS_MAGIC, () => false);
          return { fh, inMemory, release: () => local.release(), users: 0, disposed: false };
        } catch (err) {
          await Promise.resolve(local.release()).catch(() => undefined);
          throw err;
        }
      })();
      this.#cache.set(id, p);
      p.then((f) => {
        if (f) return;
        this.#misses.add(p!);
        if (this.#cache.get(id) === p) this.#cache.set(id, p!, { ttl: MISS_MS });
      }, () => {
        if (this.#cache.get(id) === p) this.#cache.delete(id);
      });
    }
    return await p;
  }

  /** Reads `length` bytes at `offset` of block `ref` into `target` (at 0); null when not local. */
  async readInto(channel: DataChannel, address: string, ref: proto.BlockRef, offset: number, target: Buffer, length: number, options: { retryMiss?: boolean } = {}): Promise<number | null> {
    const id = `${address}\u0000${ref.key!}`;
    const f = await this.pin(channel, address, ref, options);
    if (!f) return null;
    f.users++;
    try {
      let done = 0;
      while (done < length) {
        // A tmpfs read cannot block on a device: doing it inline saves a thread-pool round trip
        // per 128 KiB kernel read, which is what separates this path from the FUSE ceiling.
        const bytesRead = f.inMemory
          ? readSync(f.fh.fd, target, done, length - done, offset + done)
          : (await f.fh.read(target, done, length - done, offset + done)).bytesRead;
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      if (done !== length) {
        this.#cache.delete(id);
        return null;
      }
      return done;
    } finally {
      f.users--;
      if (f.disposed && f.users === 0) void closeLocal(f);
    }
  }

  /** Drops every pinned block belonging to a worker that failed. */
  forget(address: string): void {
    for (const k of [...this.#cache.keys()]) if (k.startsWith(`${address}\u0000`)) this.#cache.delete(k);
  }

  close(): void {
    this.#cache.clear();
  }
}

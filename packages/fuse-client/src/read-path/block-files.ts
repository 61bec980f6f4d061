// The pinned, open local block files of the short-circuit (short-circuit.ts), shared by all
// handles. Pins: the worker verifies a block each time it pins it for a local reader (a checksum
// on disk tiers), so pinning once per kernel read would verify a 16 MiB block 128 times. Pinned
// files are kept open in a small LRU and released when evicted, after a short idle time, or at
// close; a block in use is closed only once its last read finished. A file the fast read path
// (fast-reads.ts) may pread in a libfuse thread leaves that table when it leaves the LRU, before
// its fd is closed and its pin released.
import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { proto } from '@eddy/protocol';
import { LRUCache } from 'lru-cache';
import type { FastFile, FastReads } from './fast-reads.js';
import type { LocalBlockOpener } from './local-block-opener.js';
import { LocalBlockRefusedError } from './local-block-refused-error.js';
import type { DataChannel } from './sources.js';

export interface LocalFile extends FastFile {
  fh: FileHandle;
  /** The file lives in memory (tmpfs, the MEM tier): a pread is a memcpy and is done inline. */
  inMemory: boolean;
  release(): void | Promise<void>;
  users: number;
  disposed: boolean;
}

export interface BlockFilesOptions {
  /** Files kept open at once, and how long an unused one stays. */
  max: number;
  idleMs: number;
  /** How long a worker's "not in a local file" answer is remembered. */
  missMs: number;
  opener: LocalBlockOpener;
  /** Where files are handed to libfuse threads; each leaves it before it is closed. */
  fast: FastReads | undefined;
  onRefused(address: string, err: LocalBlockRefusedError): void;
}

/** Key of a FETCH or a pin: the worker and the block. */
export function blockFileId(address: string, ref: proto.BlockRef): string {
  return `${address}\u0000${ref.key!}`;
}

export class BlockFiles {
  readonly #o: BlockFilesOptions;
  readonly #cache: LRUCache<string, Promise<LocalFile | null>>;
  /** Remembered "not local" answers, so `pin(..., retryMiss)` can ask again at once. */
  readonly #misses = new WeakSet<Promise<LocalFile | null>>();

  constructor(options: BlockFilesOptions) {
    this.#o = options;
    this.#cache = new LRUCache<string, Promise<LocalFile | null>>({
      max: options.max,
      ttl: options.idleMs,
      updateAgeOnGet: true,
      dispose: (p) => {
        void p.then((f) => {
          if (!f) return;
          f.disposed = true;
          // Out of the libfuse threads' reach now; a JS read in progress still finishes below.
          this.#o.fast?.dropFile(f);
          if (f.users === 0) void this.#close(f);
        }, () => undefined);
      },
    });
  }

  /**
   * Pins block `ref` and opens its file (or reuses the pin); null when not local. `retryMiss`:
   * ask again even if the worker said "not local" a moment ago (it has just stored the block).
   */
  async pin(channel: DataChannel, address: string, ref: proto.BlockRef, retryMiss: boolean): Promise<LocalFile | null> {
    const id = blockFileId(address, ref);
    let p = this.#cache.get(id);
    if (p && retryMiss && this.#misses.has(p)) {
      this.#cache.delete(id);
      p = undefined;
    }
    if (!p) {
      const opening = this.#openPinned(channel, address, ref);
      this.#cache.set(id, opening);
      opening.then((f) => {
        if (f) return;
        this.#misses.add(opening);
        if (this.#cache.get(id) === opening) this.#cache.set(id, opening, { ttl: this.#o.missMs });
      }, () => {
        if (this.#cache.get(id) === opening) this.#cache.delete(id);
      });
      p = opening;
    }
    return await p;
  }

  /** Reads `length` bytes at `offset` of block `ref` into `target` (at 0); the file, or null when not local. */
  async readInto(
    channel: DataChannel, address: string, ref: proto.BlockRef, offset: number, target: Buffer, length: number, retryMiss: boolean,
  ): Promise<LocalFile | null> {
    const f = await this.pin(channel, address, ref, retryMiss);
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
        this.#cache.delete(blockFileId(address, ref));
        return null;
      }
      return f;
    } finally {
      f.users--;
      if (f.disposed && f.users === 0) void this.#close(f);
    }
  }

  forget(address: string): void {
    for (const k of [...this.#cache.keys()]) if (k.startsWith(`${address}\u0000`)) this.#cache.delete(k);
  }

  close(): void {
    this.#cache.clear();
  }

  /** Pins `ref` at the worker and opens the file it names, if that file passes the checks; null when not local or refused. */
  async #openPinned(channel: DataChannel, address: string, ref: proto.BlockRef): Promise<LocalFile | null> {
    const local = await channel.openLocal(ref);
    if (!local) return null;
    try {
      const { fh, inMemory } = await this.#o.opener.open(address, local.path, ref);
      return { fh, fd: fh.fd, fastEntries: new Set(), inMemory, release: () => local.release(), users: 0, disposed: false };
    } catch (err) {
      await Promise.resolve(local.release()).catch(() => undefined);
      if (!(err instanceof LocalBlockRefusedError)) throw err;
      this.#o.onRefused(address, err);
      return null;
    }
  }

  async #close(f: LocalFile): Promise<void> {
    // Never close an fd a libfuse thread may still pread (dropFile waits for one in flight).
    this.#o.fast?.dropFile(f);
    await f.fh.close().catch(() => undefined);
    await Promise.resolve(f.release()).catch(() => undefined);
  }
}

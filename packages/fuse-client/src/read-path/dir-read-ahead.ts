// Directory read-ahead for small files: when a reader opens a small file of a listed directory and
// no worker holds it (a cold read), the other small files of that directory are read too, a few
// at a time, from the worker the master would have each one read through. Readers of a directory
// of small files usually read all of it (find | xargs cat, a loader walking its samples), and one
// file at a time each reader waits a whole read-through (a GET to the bucket) per file; read ahead,
// the GETs overlap and the reader's next file is already in memory here.
//
// Bounded: a few reads in flight mount-wide, a byte budget for what is queued, in flight or held,
// and held bytes expire. Cancellable: close() aborts every read, and a reader that arrives before
// a queued read has started takes it off the queue and reads the file itself. Honest: each held
// file keeps where its bytes came from (a worker's tier, or the bucket through a worker) and is
// metered as such when a reader takes it; the worker counts its own bucket reads, used or not.
//
// Versions: a held file is keyed by its block key, which the version makes unique, so a handle
// of another version never sees these bytes; the listing the siblings come from is no older than
// the mount's entry timeout, as for any lookup.
import { posix } from 'node:path';
import { LRUCache } from 'lru-cache';
import { AbortedError, blockKey, type BlockSlice, type Logger } from '@eddy/core';
import type { proto } from '@eddy/protocol';
import type { FileAttr } from '../metadata-cache.js';
import type { ChannelPool } from './channel-pool.js';
import type { BlockLocation, PinnedVersion } from './pinned-version.js';
import type { ReadMeter } from './sources.js';

export interface DirReadAheadOptions {
  channels: Pick<ChannelPool, 'get' | 'isSuspect'>;
  /** The files of directory `dir` as its cached listing has them (no master call); undefined if not cached. */
  listing(dir: string): readonly FileAttr[] | undefined;
  /** Recent locations of `path`'s blocks from a listing (no master call); undefined if none. */
  located(path: string): readonly BlockLocation[] | undefined;
  /** Whether a worker shares our host (bytes it serves from its tier are local hits). */
  onHost(worker: proto.WorkerAddress__Output): boolean;
  meter: Pick<ReadMeter, 'read'>;
  logger: Logger;
  dataset: string;
  blockSize: number;
  /** Files up to this size (and one block) are read ahead. */
  maxFileBytes: number;
  /** Files read ahead per cold open. */
  files: number;
  /** Read-aheads in flight, mount-wide. */
  concurrency: number;
  /** Bytes queued, in flight and held, mount-wide. */
  maxBytes: number;
  /** Held bytes nobody took are dropped after this long. */
  holdMs: number;
  workerTimeoutMs: number;
}

/** What read-ahead did, for tests, diagnostics and the bench. */
export interface DirReadAheadStats {
  /** Cold opens that started a directory read-ahead. */
  triggers: number;
  /** Files read ahead (each a read-through or a tier read on a worker). */
  fetched: number;
  /** Reads served from read-ahead bytes. */
  hits: number;
  /** Read-aheads that failed (the reader then reads the file itself). */
  failed: number;
}

interface Pending {
  key: string;
  ref: proto.BlockRef;
  worker: proto.WorkerAddress__Output;
  bytes: number;
  /** Set once the read runs: its result, shared with a reader that arrives meanwhile. */
  running?: Promise<Held | undefined>;
}

interface Held {
  buf: Buffer;
  /** Where the worker had the bytes: its tier (`cache`) or the bucket (`ufs`). */
  source: 'cache' | 'ufs';
  onHost: boolean;
}

export class DirReadAhead {
  readonly stats: DirReadAheadStats = { triggers: 0, fetched: 0, hits: 0, failed: 0 };
  readonly #o: DirReadAheadOptions;
  readonly #held: LRUCache<string, Held>;
  /** Queued and running read-aheads, by block key; the queue is this map's not-yet-running entries, in order. */
  readonly #pending = new Map<string, Pending>();
  /** Directories read ahead recently: one cold open per directory starts it. */
  readonly #dirs: LRUCache<string, true>;
  readonly #closer = new AbortController();
  #running = 0;
  #reserved = 0;

  constructor(options: DirReadAheadOptions) {
    this.#o = options;
    this.#held = new LRUCache<string, Held>({
      maxSize: options.maxBytes, sizeCalculation: (h) => Math.max(1, h.buf.length), ttl: options.holdMs,
      dispose: (h) => { this.#reserved -= h.buf.length; },
    });
    this.#dirs = new LRUCache<string, true>({ max: 4096, ttl: options.holdMs });
  }

  /** Nothing queued, running or held: take() would answer undefined at once (BlockSource.fillAtOpen's first try). */
  get idle(): boolean { return this.#pending.size === 0 && this.#held.size === 0; }

  /**
   * The bytes of `slice` of `pinned` if they were read ahead (waiting for a read-ahead already
   * running); undefined otherwise, after taking a queued read-ahead of it off the queue.
   */
  async take(pinned: PinnedVersion, slice: BlockSlice, signal?: AbortSignal): Promise<Buffer | undefined> {
    if (this.#pending.size === 0 && this.#held.size === 0) return undefined;
    // The handle's memoized key (a SHA-256 per call otherwise).
    const key = pinned.ref(slice.index).key ?? '';
    const p = this.#pending.get(key);
    if (p && !p.running) {
      this.#pending.delete(key);
      this.#reserved -= p.bytes;
      return undefined;
    }
    if (p?.running) {
      signal?.throwIfAborted();
      await p.running;
    }
    const held = this.#held.get(key);
    if (!held || held.buf.length < slice.offsetInBlock + slice.length) return undefined;
    // A small file is read once: what a reader took leaves with its last byte.
    if (slice.offsetInBlock + slice.length >= held.buf.length) this.#held.delete(key);
    this.stats.hits++;
    this.#o.meter.read(held.source !== 'cache' ? 'ufs' : held.onHost ? 'local' : 'remote', slice.length);
    return held.buf.subarray(slice.offsetInBlock, slice.offsetInBlock + slice.length);
  }

  /** A cold open of `pinned` (no worker holds it): reads ahead the other small files of its directory, once a while per directory. */
  coldOpen(pinned: PinnedVersion): void {
    if (this.#closer.signal.aborted || pinned.size > this.#o.maxFileBytes) return;
    const dir = posix.dirname(pinned.path);
    if (this.#dirs.has(dir)) return;
    const files = this.#o.listing(dir);
    if (!files) return;
    this.#dirs.set(dir, true);
    this.stats.triggers++;
    // Readers walk a directory in listing order: the files after this one first, then the rest.
    const at = files.findIndex((f) => f.path === pinned.path);
    const order = at < 0 ? files : [...files.slice(at + 1), ...files.slice(0, at)];
    let queued = 0;
    for (const f of order) {
      if (queued >= this.#o.files) break;
      if (this.#enqueue(f)) queued++;
    }
    this.#pump();
  }

  /** Aborts every read-ahead and drops what is held; safe to call more than once. */
  close(): void {
    if (this.#closer.signal.aborted) return;
    this.#closer.abort(new AbortedError('directory read-ahead closed'));
    this.#pending.clear();
    this.#held.clear();
    this.#reserved = 0;
  }

  /** Queues `f` if it is a small file whose listed location names a worker and no holder; whether it was queued. */
  #enqueue(f: FileAttr): boolean {
    const { blockSize, maxFileBytes, dataset, channels } = this.#o;
    if (f.isDir || f.size <= 0 || f.size > maxFileBytes || f.size > blockSize) return false;
    if (this.#reserved + f.size > this.#o.maxBytes) return false;
    const key = blockKey(dataset, f.path, f.version, 0, blockSize);
    if (this.#pending.has(key) || this.#held.has(key)) return false;
    const loc = this.#o.located(f.path)?.find((b) => b.index === 0);
    // Only cold files: a held one is a fast read anyway, and an unknown version is not guessed.
    if (!loc || loc.key !== key || loc.holders.length > 0 || !loc.preferred || loc.preferred.dataAddress === '') return false;
    if (channels.isSuspect(loc.preferred.dataAddress)) return false;
    const ref: proto.BlockRef = {
      key, dataset, path: f.path, version: f.version, index: 0, blockSize, fileSize: f.size, versionId: f.versionId,
    };
    this.#pending.set(key, { key, ref, worker: loc.preferred, bytes: f.size });
    this.#reserved += f.size;
    return true;
  }

  #pump(): void {
    for (const p of this.#pending.values()) {
      if (this.#running >= this.#o.concurrency) return;
      if (p.running) continue;
      this.#running++;
      p.running = this.#fetch(p).finally(() => {
        this.#running--;
        this.#pending.delete(p.key);
        this.#pump();
      });
    }
  }

  async #fetch(p: Pending): Promise<Held | undefined> {
    const address = p.worker.dataAddress;
    try {
      let source: 'cache' | 'ufs' = 'cache';
      const buf = await this.#o.channels.get(address).readBlock(p.ref, 0, p.bytes, {
        signal: this.#closer.signal, timeoutMs: this.#o.workerTimeoutMs, onSource: (s) => { source = s; },
      });
      if (buf.length !== p.bytes || this.#closer.signal.aborted) {
        throw new AbortedError(`read-ahead of ${p.key}: ${buf.length} of ${p.bytes} bytes`);
      }
      const held: Held = { buf, source, onHost: this.#o.onHost(p.worker) };
      this.stats.fetched++;
      // The reservation passes to the held entry (released by its dispose).
      this.#held.set(p.key, held);
      return held;
    } catch (err) {
      this.#reserved -= p.bytes;
      if (this.#closer.signal.aborted) return undefined;
      this.stats.failed++;
      this.#o.logger.debug({ err, worker: address, block: p.key }, 'directory read-ahead failed; the reader reads the file itself');
      return undefined;
    }
  }
}

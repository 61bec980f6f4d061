// Serves a byte range of a pinned file from the best source that works: a local file-tier block
// (short-circuit), a worker holding the block, the block's preferred worker (which reads through
// and caches), and finally the bucket itself with If-Match on the pinned version. A failing source
// is skipped and the next one tried; only when none can serve the bytes does the read fail.
//
// A sequential reader of an uncached block whose preferred worker shares our host asks that
// worker to FETCH the whole block and then reads the block file, like a cached one: the bytes go
// bucket → worker → tier file → us, and never through the data channel's socket, which cost more
// CPU than everything else on the cold path (one GET per block, as before).
import { blockKey, blockLength, blockSlices, EddyError, NotFoundError, VersionMismatchError, type BlockSlice, type Logger } from '@eddy/core';
import { type proto } from '@eddy/protocol';
import { LRUCache } from 'lru-cache';
import type { ChannelPool } from './channel-pool.js';
import { LocalBlocks } from './local-blocks.js';
import type { BlockLocation, LocationCache } from './location-cache.js';
import type { PinnedFile, UfsSource } from './sources.js';

/** Every source failed; `stale` when the pinned version no longer exists anywhere. */
export class ReadFailedError extends EddyError {
  readonly stale: boolean;
  constructor(message: string, stale: boolean, options?: { cause?: unknown }) {
    super(stale ? 'VERSION_MISMATCH' : 'UNAVAILABLE', message, options);
    this.name = 'ReadFailedError';
    this.stale = stale;
  }
}

export interface BlockReaderOptions {
  channels: ChannelPool;
  ufs: UfsSource;
  /** Our host id: holders with the same id share our filesystem (short-circuit reads). */
  hostId: string;
  logger: Logger;
  /** Deadline of one worker block read. Default 15 s. */
  workerTimeoutMs?: number;
}

export interface ReadStats {
  local: number;
  /** Slices read from a block file that the local preferred worker fetched for us. */
  fetchedLocal: number;
  worker: number;
  preferred: number;
  ufs: number;
  workerFailures: number;
}


/** How long a failed FETCH is remembered (the block is streamed meanwhile). */
const FETCH_FAILURE_MS = 5_000;

export class BlockReader {
  readonly #o: BlockReaderOptions;
  readonly #local = new LocalBlocks();
  readonly stats: ReadStats = { local: 0, fetchedLocal: 0, worker: 0, preferred: 0, ufs: 0, workerFailures: 0 };
  /** FETCHes asked of local workers, by worker and block key: shared by the slices of a block, and
   * remembered afterwards (the location cache of an open handle does not learn of new holders). */
  readonly #fetched = new LRUCache<string, { promise: Promise<boolean>; ok: boolean | undefined }>({ max: 4096, ttl: 60_000 });

  constructor(options: BlockReaderOptions) {
    this.#o = options;
  }

  /**
   * Bytes [offset, offset+length) of `file` (clipped at EOF). `sequential`: the caller will read
   * the rest of these blocks too (readahead), so waiting for a whole block to be fetched locally
   * is worth it.
   */
  async readRange(file: PinnedFile, locations: LocationCache, offset: number, length: number, signal?: AbortSignal, sequential = false): Promise<Buffer> {
    const slices = blockSlices(offset, length, file.size, file.blockSize);
    if (slices.length === 0) return Buffer.alloc(0);
    if (slices.length === 1) return await this.#readSlice(file, locations, slices[0]!, signal, sequential);
    const parts = await Promise.all(slices.map((s) => this.#readSlice(file, locations, s, signal, sequential)));
    return Buffer.concat(parts);
  }

  /**
   * Fast path for a range inside one block held by a worker on this host: pread straight into
   * `target` from the pinned block file, with no intermediate buffer and no readahead (the page
   * cache of a file tier is memory already). Null when no local holder can serve it.
   */
  async readLocalInto(file: PinnedFile, locations: LocationCache, offset: number, target: Buffer, length: number, signal?: AbortSignal): Promise<number | null> {
    if (this.#o.hostId === '' || length === 0) return null;
    const index = Math.floor(offset / file.blockSize);
    if (Math.floor((offset + length - 1) / file.blockSize) !== index) return null;
    const loc = await locations.get(index, signal);
    if (!loc) return null;
    const ref = this.#ref(file, index);
    if (loc.key !== ref.key) return null;
    const at = offset - index * file.blockSize;
    for (const h of loc.holders) {
      const n = await this.#tryLocalInto(h, ref, at, target, length, false);
      if (n !== null) {
        this.stats.local++;
        return n;
      }
    }
    // Not among the holders the handle was told of: the preferred worker may have fetched it for us since.
    const fetched = this.#fetchedHere(loc, ref);
    const n = fetched ? await this.#tryLocalInto(fetched, ref, at, target, length, true) : null;
    if (n !== null) this.stats.fetchedLocal++;
    return n;
  }

  /** One short-circuit attempt at holder `h`; null when it is not ours, suspect, or not local after all. */
  async #tryLocalInto(h: proto.WorkerAddress__Output, ref: proto.BlockRef, at: number, target: Buffer, length: number, retryMiss: boolean): Promise<number | null> {
    if (h.hostId !== this.#o.hostId || h.dataAddress === '' || this.#o.channels.isSuspect(h.dataAddress)) return null;
    try {
      return await this.#local.readInto(this.#o.channels.get(h.dataAddress), h.dataAddress, ref, at, target, length, { retryMiss });
    } catch (err) {
      this.#o.logger.debug({ err, worker: h.dataAddress, block: ref.key }, 'short-circuit read failed');
      return null;
    }
  }

  /**
   * For a sequential reader: has the worker on this host that should cache block `index` fetch
   * it whole, so `readLocalInto` can serve it; false when that is not the way to read it (a
   * holder has it already, no preferred worker here, a small block) or the fetch failed.
   */
  async fetchLocal(file: PinnedFile, locations: LocationCache, index: number, signal?: AbortSignal): Promise<boolean> {
    if (this.#o.hostId === '' || index * file.blockSize >= file.size) return false;
    const loc = await locations.get(index, signal);
    const ref = this.#ref(file, index);
    if (!loc || loc.key !== ref.key) return false;
    if (this.#fetchedHere(loc, ref)) return true;
    const target = this.#fetchTarget(loc, ref);
    return target !== undefined && await this.#fetchOnce(target, ref);
  }

  /**
   * Pins block `index`'s local file ahead of a sequential reader, so the worker's check overlaps
   * reading; an uncached block whose preferred worker is local is fetched there first.
   */
  prefetchLocal(file: PinnedFile, locations: LocationCache, index: number, fetch = true): void {
    if (this.#o.hostId === '' || index * file.blockSize >= file.size) return;
    void (async () => {
      const loc = await locations.get(index);
      const ref = this.#ref(file, index);
      if (!loc || loc.key !== ref.key) return;
      const h = loc.holders.find((x) => x.hostId === this.#o.hostId && x.dataAddress !== '' && !this.#o.channels.isSuspect(x.dataAddress));
      if (h) {
        await this.#local.pin(this.#o.channels.get(h.dataAddress), h.dataAddress, ref);
        return;
      }
      const target = fetch ? this.#fetchTarget(loc, ref) : undefined;
      if (target && await this.#fetchOnce(target, ref)) await this.#local.pin(this.#o.channels.get(target), target, ref, { retryMiss: true });
    })().catch(() => undefined);
  }

  /** Blocks smaller than this are streamed even to a sequential reader: a FETCH, a pin and an open cost more than the copy. */
  static readonly FETCH_LOCAL_MIN_BYTES = 1 << 20;

  /** The local preferred worker to FETCH an uncached block from, if that is the way to read it. */
  #fetchTarget(loc: BlockLocation, ref: proto.BlockRef): string | undefined {
    const p = loc.preferred;
    const length = blockLength(Number(ref.fileSize), Number(ref.blockSize), ref.index ?? 0);
    if (this.#o.hostId === '' || !p || p.hostId !== this.#o.hostId || p.dataAddress === '' || loc.holders.some((h) => h.dataAddress !== '')) return undefined;
    if (length < BlockReader.FETCH_LOCAL_MIN_BYTES || this.#o.channels.isSuspect(p.dataAddress)) return undefined;
    return p.dataAddress;
  }

  /** The preferred worker as a holder, when it stored the block for us since the locations were taken. */
  #fetchedHere(loc: BlockLocation, ref: proto.BlockRef): BlockLocation['preferred'] | undefined {
    const p = loc.preferred;
    if (!p || p.dataAddress === '') return undefined;
    return this.#fetched.get(fetchId(p.dataAddress, ref))?.ok === true ? p : undefined;
  }

  /** Has `address` cache the whole block (one FETCH per block, shared); false when it could not. */
  async #fetchOnce(address: string, ref: proto.BlockRef): Promise<boolean> {
    const id = fetchId(address, ref);
    let entry = this.#fetched.get(id);
    if (!entry) {
      // Not tied to one reader's signal: the slices of the block share it, and a block fetched
      // for a reader that went away is still cached for the next.
      const promise = Promise.resolve().then(async () => await this.#o.channels.get(address).fetchBlock(ref, { timeoutMs: 4 * (this.#o.workerTimeoutMs ?? 15_000) })).then(() => {
        e.ok = true;
        return true;
      }, (err: unknown) => {
        // Remembered briefly: asking again per slice would have the worker read the block from
        // the bucket each time only to fail to store it (NO_SPACE).
        e.ok = false;
        if (this.#fetched.get(id) === e) this.#fetched.set(id, e, { ttl: FETCH_FAILURE_MS });
        // A typed answer (no room, gone from the bucket) leaves the worker in rotation; anything
        // else (reset, timeout) takes it out, as for a failed READ.
        if (!(err instanceof EddyError) || !['NO_SPACE', 'NOT_FOUND', 'VERSION_MISMATCH'].includes(err.code)) {
          this.stats.workerFailures++;
          this.#o.channels.markFailed(address);
          this.#local.forget(address);
        }
        this.#o.logger.debug({ err, worker: address, block: ref.key }, 'local fetch failed; streaming the block instead');
        return false;
      });
      const e: { promise: Promise<boolean>; ok: boolean | undefined } = { promise, ok: undefined };
      entry = e;
      this.#fetched.set(id, e);
    }
    return await entry.promise;
  }

  /** Block refs of each open file, memoized: the key is a SHA-256, and every kernel read needs one. */
  readonly #refs = new WeakMap<PinnedFile, Map<number, proto.BlockRef>>();

  #ref(file: PinnedFile, index: number): proto.BlockRef {
    let refs = this.#refs.get(file);
    if (!refs) {
      refs = new Map();
      this.#refs.set(file, refs);
    }
    let ref = refs.get(index);
    if (!ref) {
      ref = {
        key: blockKey(file.dataset, file.path, file.version, index, file.blockSize),
        dataset: file.dataset, path: file.path, version: file.version, index,
        blockSize: file.blockSize, fileSize: file.size,
      };
      refs.set(index, ref);
    }
    return ref;
  }

  async #readSlice(file: PinnedFile, locations: LocationCache, slice: BlockSlice, signal?: AbortSignal, sequential = false): Promise<Buffer> {
    const ref = this.#ref(file, slice.index);
    const loc = await locations.get(slice.index, signal);
    const { channels, hostId, logger } = this.#o;
    const tried = new Set<string>();
    let lastErr: unknown;
    const keyMatches = loc !== undefined && loc.key === ref.key;
    const fetchedHere = keyMatches ? this.#fetchedHere(loc, ref) : undefined;
    // Readahead chunks fetch too (or join the fetch in flight): a kernel read across a block
    // boundary, or one racing the fetch ahead, lands here instead of in FileReader's local path.
    const fetchFrom = keyMatches && sequential && !fetchedHere ? this.#fetchTarget(loc, ref) : undefined;
    if (fetchFrom && await this.#fetchOnce(fetchFrom, ref)) {
      signal?.throwIfAborted();
      const buf = await this.#local.read(channels.get(fetchFrom), fetchFrom, ref, slice.offsetInBlock, slice.length, { retryMiss: true }).catch(() => null);
      if (buf) {
        this.stats.fetchedLocal++;
        return buf;
      }
      // Stored but not readable as a file here (evicted already, or not a file tier): stream it.
      this.#fetched.delete(fetchId(fetchFrom, ref));
    }
    // Holders only count when the master's key is ours: a key of another version holds other bytes.
    const holders = keyMatches ? [...loc.holders, ...(fetchedHere ? [fetchedHere] : [])].filter((h) => h.dataAddress !== '') : [];
    const local = holders.filter((h) => hostId !== '' && h.hostId === hostId);
    const remote = shuffle(holders.filter((h) => !(hostId !== '' && h.hostId === hostId)));

    for (const h of local) {
      if (channels.isSuspect(h.dataAddress)) continue;
      try {
        const buf = await this.#readLocal(h.dataAddress, ref, slice);
        if (buf) {
          this.stats.local++;
          return buf;
        }
      } catch (err) {
        lastErr = err;
        logger.debug({ err, worker: h.dataAddress, block: ref.key }, 'short-circuit read failed');
      }
    }
    for (const h of [...local, ...remote]) {
      if (tried.has(h.dataAddress) || channels.isSuspect(h.dataAddress)) continue;
      tried.add(h.dataAddress);
      const r = await this.#readWorker(h.dataAddress, ref, slice, locations, signal);
      if (r.ok) {
        this.stats.worker++;
        return r.buf;
      }
      lastErr = r.err;
    }
    const preferred = loc?.preferred?.dataAddress;
    if (preferred && !tried.has(preferred) && !channels.isSuspect(preferred)) {
      tried.add(preferred);
      const r = await this.#readWorker(preferred, ref, slice, locations, signal);
      if (r.ok) {
        this.stats.preferred++;
        return r.buf;
      }
      lastErr = r.err;
    }
    try {
      const buf = await this.#o.ufs.read(file.path, slice.fileOffset, slice.length, file.version, signal);
      if (buf.length !== slice.length) throw new ReadFailedError(`short read from the bucket for ${file.path}: ${buf.length} of ${slice.length} bytes`, false);
      this.stats.ufs++;
      return buf;
    } catch (err) {
      const stale = err instanceof VersionMismatchError || err instanceof NotFoundError;
      throw new ReadFailedError(
        stale
          ? `${file.path}: pinned version ${file.version} is gone from the bucket and no worker has its bytes`
          : `${file.path}: no source could serve block ${slice.index} (${err instanceof Error ? err.message : String(err)})`,
        stale, { cause: lastErr ?? err },
      );
    }
  }

  async #readWorker(
    address: string, ref: proto.BlockRef, slice: BlockSlice, locations: LocationCache, signal?: AbortSignal,
  ): Promise<{ ok: true; buf: Buffer } | { ok: false; err: unknown }> {
    const { channels, logger } = this.#o;
    try {
      const buf = await channels.get(address).readBlock(ref, slice.offsetInBlock, slice.length, {
        signal, timeoutMs: this.#o.workerTimeoutMs ?? 15_000,
      });
      if (buf.length !== slice.length) throw new ReadFailedError(`short block read from ${address}: ${buf.length} of ${slice.length} bytes`, false);
      return { ok: true, buf };
    } catch (err) {
      if (signal?.aborted) throw err;
      locations.invalidate(slice.index);
      // A worker that answered with a typed "no such block/version" is healthy; anything else
      // (reset, refused, timeout, corrupt) takes it out of rotation for a while.
      if (!(err instanceof NotFoundError || err instanceof VersionMismatchError)) {
        this.stats.workerFailures++;
        channels.markFailed(address);
        this.#local.forget(address);
      }
      logger.debug({ err, worker: address, block: ref.key }, 'worker read failed; trying the next source');
      return { ok: false, err };
    }
  }

  async #readLocal(address: string, ref: proto.BlockRef, slice: BlockSlice): Promise<Buffer | null> {
    return await this.#local.read(this.#o.channels.get(address), address, ref, slice.offsetInBlock, slice.length);
  }

  close(): void {
    this.#local.close();
  }
}

/** Key of a FETCH in `#fetched`: the worker and the block. */
function fetchId(address: string, ref: proto.BlockRef): string {
  return `${address}\u0000${ref.key!}`;
}

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export type { BlockLocation };

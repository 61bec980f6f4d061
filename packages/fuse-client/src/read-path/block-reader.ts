// Serves a byte range of a pinned file from the best source that works: a local file-tier block
// (short-circuit), a worker holding the block, the block's preferred worker (which reads through
// and caches), and finally the bucket itself with If-Match on the pinned version. A failing source
// is skipped and the next one tried; only when none can serve the bytes does the read fail.
import {
  blockKey, blockSlices, EddyError, NotFoundError, VersionMismatchError, type BlockSlice, type Logger, type proto,
} from '@eddy/common';
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
  worker: number;
  preferred: number;
  ufs: number;
  workerFailures: number;
}


export class BlockReader {
  readonly #o: BlockReaderOptions;
  readonly #local = new LocalBlocks();
  readonly stats: ReadStats = { local: 0, worker: 0, preferred: 0, ufs: 0, workerFailures: 0 };

  constructor(options: BlockReaderOptions) {
    this.#o = options;
  }

  /** Bytes [offset, offset+length) of `file` (clipped at EOF). */
  async readRange(file: PinnedFile, locations: LocationCache, offset: number, length: number, signal?: AbortSignal): Promise<Buffer> {
    const slices = blockSlices(offset, length, file.size, file.blockSize);
    if (slices.length === 0) return Buffer.alloc(0);
    if (slices.length === 1) return await this.#readSlice(file, locations, slices[0]!, signal);
    const parts = await Promise.all(slices.map((s) => this.#readSlice(file, locations, s, signal)));
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
    for (const h of loc.holders) {
      if (h.hostId !== this.#o.hostId || h.dataAddress === '' || this.#o.channels.isSuspect(h.dataAddress)) continue;
      try {
        const n = await this.#local.readInto(this.#o.channels.get(h.dataAddress), h.dataAddress, ref, offset - index * file.blockSize, target, length);
        if (n !== null) {
          this.stats.local++;
          return n;
        }
      } catch (err) {
        this.#o.logger.debug({ err, worker: h.dataAddress, block: ref.key }, 'short-circuit read failed');
      }
    }
    return null;
  }

  /** Pins block `index`'s local file ahead of the reader, so the worker's checksum pass overlaps reading. */
  prefetchLocal(file: PinnedFile, locations: LocationCache, index: number): void {
    if (this.#o.hostId === '' || index * file.blockSize >= file.size) return;
    void (async () => {
      const loc = await locations.get(index);
      const ref = this.#ref(file, index);
      if (!loc || loc.key !== ref.key) return;
      const h = loc.holders.find((x) => x.hostId === this.#o.hostId && x.dataAddress !== '' && !this.#o.channels.isSuspect(x.dataAddress));
      if (h) await this.#local.pin(this.#o.channels.get(h.dataAddress), h.dataAddress, ref);
    })().catch(() => undefined);
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

  async #readSlice(file: PinnedFile, locations: LocationCache, slice: BlockSlice, signal?: AbortSignal): Promise<Buffer> {
    const ref = this.#ref(file, slice.index);
    const loc = await locations.get(slice.index, signal);
    const { channels, hostId, logger } = this.#o;
    const tried = new Set<string>();
    let lastErr: unknown;
    // Holders only count when the master's key is ours: a key of another version holds other bytes.
    const holders = loc && loc.key === ref.key ? loc.holders.filter((h) => h.dataAddress !== '') : [];
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

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export type { BlockLocation };

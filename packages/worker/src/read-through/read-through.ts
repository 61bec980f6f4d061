// Read-through: fetches a missing block from its UFS once, hands the bytes to every waiting
// reader as they arrive, and stores the block. Concurrent misses of one key share one fetch;
// a failed fetch leaves no block behind and every reader gets the typed error. A small block is
// fetched in one step: one GET into memory, readers answered from there, then one write of its
// file (small-block-fetch.ts). A larger one is fetched as several ranged GETs at once, each
// written straight into its place in the block file, which readers read as it fills
// (block-fetch.ts): no copy of the block is held in memory. Bounded: a ref must carry its
// dataset's block size, at most `maxConcurrentFetches` fetches run at once, and a fetch that
// cannot cache its block (or a small one) holds at most `fetchWindowBytes` in memory.
import { finished } from 'node:stream/promises';
import { EddyError, UnavailableError, TimeoutError, AbortedError, ValidationError, silentLogger, type Logger } from '@eddy/core';
import type { BlockStore, BlockWriter } from '../store/block-store.js';
import type { BlockPart } from '../store/block-writer.js';
import type { ValidBlockRef } from '../blocks/block-ref.js';
import type { FetchReason } from '@eddy/metrics';
import type { UfsLocation, UfsLocator } from './ufs-locator.js';
import { WORKER_DEFAULTS } from '../config/worker-defaults.js';
import { BlockFetch, type BlockFetchControl } from './block-fetch.js';
import { FetchSlots } from './fetch-slots.js';
import { SMALL_BLOCK_BYTES, fetchSmallBlock, type SmallBlockFetchContext } from './small-block-fetch.js';


export interface ReadThroughOptions {
  store: BlockStore;
  locator: UfsLocator;
  logger?: Logger;
  /** Deadline of one block fetch from the UFS (waiting for a slot included). Default 120 s. */
  fetchTimeoutMs?: number;
  /** Fetches from the UFS at once; more wait for a slot. Default 16. */
  maxConcurrentFetches?: number;
  /** Bytes a fetch that cannot cache its block holds in memory ahead of its slowest reader. Default 4 MiB. */
  fetchWindowBytes?: number;
  /** A block is fetched as ranges of this many bytes, each its own GET. Default 4 MiB. */
  fetchPartBytes?: number;
  /** Ranges of one block fetched at once. Default 4. */
  fetchPartsInFlight?: number;
  /**
   * Blocks up to this many bytes (and no larger than `fetchWindowBytes`) are read in one step:
   * one GET into memory, answered from there, then stored without a read-back
   * (small-block-fetch.ts). Default 1 MiB; 0: every block takes the block-file path.
   */
  smallBlockBytes?: number;
  /** Called with the byte count of every completed UFS fetch. */
  onFetched?: (bytes: number) => void;
  /** One request to the UFS for `dataset` ended: `bytes` read, or `err` (not for aborts by close). */
  onUfsRequest?: (dataset: string, bytes: number, err?: unknown) => void;
  /** A fetch of a whole block ended (once per fetch, however many readers joined it); `ok`: stored. */
  onBlockFetched?: (dataset: string, reason: FetchReason, ok: boolean) => void;
}

/** One fetch of one block, as its UFS requests see it. */
interface FetchRun {
  ref: ValidBlockRef;
  location: UfsLocation;
  /** Aborts on close, timeout, or `stop`. */
  signal: AbortSignal;
  /** Stops every request of the fetch (the first failure does it). */
  stop: AbortController;
}

function asEddyError(err: unknown, what: string): EddyError {
  if (err instanceof EddyError) return err;
  if (err instanceof Error && err.name === 'TimeoutError') return new TimeoutError(`${what}: timed out`);
  if (err instanceof Error && err.name === 'AbortError') return new AbortedError(`${what}: aborted`);
  return new UnavailableError(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

export class ReadThrough {
  readonly #options: ReadThroughOptions;
  readonly #inflight = new Map<string, BlockFetch>();
  readonly #logger: Logger;
  readonly #controller = new AbortController();
  readonly #slots: FetchSlots;
  readonly #windowBytes: number;
  readonly #partBytes: number;
  readonly #partsInFlight: number;
  readonly #smallBlockBytes: number;
  readonly #small: SmallBlockFetchContext;

  constructor(options: ReadThroughOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger();
    this.#slots = new FetchSlots(options.maxConcurrentFetches ?? WORKER_DEFAULTS.maxConcurrentFetches);
    this.#windowBytes = options.fetchWindowBytes ?? WORKER_DEFAULTS.fetchWindowBytes;
    this.#partBytes = options.fetchPartBytes ?? WORKER_DEFAULTS.fetchPartBytes;
    this.#partsInFlight = options.fetchPartsInFlight ?? WORKER_DEFAULTS.fetchPartsInFlight;
    if (!Number.isSafeInteger(this.#partBytes) || this.#partBytes < 1) throw new ValidationError('fetchPartBytes must be a positive integer', 'fetchPartBytes');
    if (!Number.isSafeInteger(this.#partsInFlight) || this.#partsInFlight < 1) {
      throw new ValidationError('fetchPartsInFlight must be a positive integer', 'fetchPartsInFlight');
    }
    const small = options.smallBlockBytes ?? SMALL_BLOCK_BYTES;
    if (!Number.isSafeInteger(small) || small < 0) throw new ValidationError('smallBlockBytes must be a non-negative integer', 'smallBlockBytes');
    // No larger than the window: a one-step fetch holds its whole block, and never waits to push it.
    this.#smallBlockBytes = Math.min(small, this.#windowBytes);
    this.#small = {
      store: options.store, locator: options.locator, slots: this.#slots, logger: this.#logger, closing: this.#controller.signal,
      timeoutMs: options.fetchTimeoutMs ?? WORKER_DEFAULTS.fetchTimeoutMs, onFetched: options.onFetched, onUfsRequest: options.onUfsRequest,
    };
  }

  get inflightCount(): number { return this.#inflight.size; }

  /** Fetches running (holding a slot) and waiting for one. */
  get slots(): { running: number; waiting: number } { return { running: this.#slots.running, waiting: this.#slots.waiting }; }

  /**
   * Refuses a ref whose block size is not its dataset's (ValidationError): the dataset fixes the
   * block size, so a client cannot make the worker fetch and cache blocks of a size it picked.
   * Standalone mounts configured without a block size accept any.
   */
  async checkBlockSize(ref: ValidBlockRef, options: { signal?: AbortSignal } = {}): Promise<void> {
    const { blockSize } = await this.#options.locator.locate(ref.dataset, ref.path, options);
    if (blockSize !== undefined && ref.blockSize !== blockSize) {
      throw new ValidationError(`ref.blockSize ${ref.blockSize} is not the block size of dataset ${ref.dataset} (${blockSize})`, 'ref.blockSize');
    }
  }

  /** Bytes [offset, offset+length) of `ref`, read through: joins the fetch in flight when it can still serve them. */
  read(ref: ValidBlockRef, offset: number, length: number, signal?: AbortSignal): AsyncGenerator<Buffer> {
    const existing = this.#inflight.get(ref.key);
    // Join only a fetch of the same length: the key does not cover the file size, so a ref that
    // lies about it gets a fetch of its own instead of cutting short everyone else's read.
    const f = existing && existing.ref.length === ref.length && existing.canServe(offset) ? existing : this.#start(ref, 'read_through');
    return f.range(offset, length, signal);
  }

  /** Joins the fetch of `ref` in flight, or starts one; `reason` says who started it (for the metrics). */
  fetch(ref: ValidBlockRef, reason: FetchReason = 'read_through'): BlockFetch {
    const existing = this.#inflight.get(ref.key);
    if (existing && existing.ref.length === ref.length) return existing;
    return this.#start(ref, reason);
  }

  /** Aborts fetches in flight (readers get AbortedError). */
  close(): void { this.#controller.abort(); }

  #start(ref: ValidBlockRef, reason: FetchReason): BlockFetch {
    const small = ref.length <= this.#smallBlockBytes;
    const run = small
      ? (_self: BlockFetch, control: BlockFetchControl) => fetchSmallBlock(this.#small, ref, control)
      : (self: BlockFetch, control: BlockFetchControl) => this.#run(self, control);
    // A small fetch keeps its chunks to the end (it holds them for its file anyway): a late
    // reader joins it rather than GETting the block again (region chains count on one GET).
    const f = new BlockFetch(ref, this.#windowBytes, run, (err) => asEddyError(err, `fetching block ${ref.index} of ${ref.dataset}:${ref.path}`), { retain: small });
    const onFetched = this.#options.onBlockFetched;
    if (onFetched) f.done.then((r) => onFetched(ref.dataset, reason, r.stored), () => onFetched(ref.dataset, reason, false));
    if (this.#inflight.has(ref.key)) return f;
    this.#inflight.set(ref.key, f);
    void f.done.catch(() => undefined).finally(() => { if (this.#inflight.get(ref.key) === f) this.#inflight.delete(ref.key); });
    return f;
  }

  /** A writer for the block, or undefined when no tier has room (the block is then served uncached). */
  async #openWriter(ref: ValidBlockRef): Promise<BlockWriter | undefined> {
    try {
      return await this.#options.store.createWriter(ref.key, ref.length);
    } catch (err) {
      this.#logger.warn({ key: ref.key, err }, 'cannot cache block; serving it uncached');
      return undefined;
    }
  }

  async #run(f: BlockFetch, control: BlockFetchControl): Promise<boolean> {
    const { ref } = f;
    const timeoutMs = this.#options.fetchTimeoutMs ?? WORKER_DEFAULTS.fetchTimeoutMs;
    // The parts of a block stop together: the first failure aborts the others.
    const stop = new AbortController();
    const signal = AbortSignal.any([this.#controller.signal, AbortSignal.timeout(timeoutMs), stop.signal]);
    let release: (() => void) | undefined;
    let writer: BlockWriter | undefined;
    try {
      release = await this.#slots.acquire(signal);
      // The reservation (which may have to demote blocks first) overlaps finding the UFS.
      const opening = this.#openWriter(ref);
      const location = await this.#options.locator.locate(ref.dataset, ref.path, { signal }).catch(async (err: unknown) => {
        writer = await opening;
        throw err;
      });
      writer = await opening;
      if (writer === undefined) {
        const run: FetchRun = { ref, location, signal, stop };
        await this.#streamRange(run, 0, ref.length, (buf) => control.push(buf, signal));
        this.#options.onFetched?.(ref.length);
        return false;
      }
      control.attachFile(await writer.openReader());
      await this.#fetchParts({ ref, location, signal, stop }, writer, control);
      this.#options.onFetched?.(ref.length);
      await writer.commit();
      return true;
    } catch (err) {
      stop.abort();
      // Remove the temp file before any reader hears of the failure: once a reader has the error,
      // nothing of the block is left on disk.
      await writer?.abort();
      throw err;
    } finally {
      control.fileClosed();
      release?.();
    }
  }

  /**
   * File mode: the block's parts (`fetchPartBytes` each, `fetchPartsInFlight` at once, in order)
   * are each read by a ranged GET straight into their place in the block file; readers follow the
   * written prefix. A store gives one stream less than a whole object's bandwidth; several ranges
   * at once fill the link where one would not.
   */
  async #fetchParts(run: FetchRun, writer: BlockWriter, control: BlockFetchControl): Promise<void> {
    const { ref, signal, stop } = run;
    const parts: BlockPart[] = [];
    for (let at = 0; at < ref.length || parts.length === 0; at += this.#partBytes) {
      parts.push(writer.part(at, Math.min(this.#partBytes, ref.length - at)));
    }
    const prefix = (): number => {
      let end = 0;
      for (const p of parts) {
        end += p.written;
        if (p.written < p.length) break;
      }
      return end;
    };
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < parts.length && !signal.aborted) {
        const part = parts[next++]!;
        await this.#streamRange(run, part.offset, part.length, (buf) => {
          const writing = part.write(buf);
          if (writing === undefined) {
            control.fileWritten(prefix());
            return undefined;
          }
          return writing.then(() => control.fileWritten(prefix()));
        });
      }
    };
    // The first failure is the cause; the others are aborts it caused.
    let cause: { err: unknown } | undefined;
    await Promise.all(Array.from({ length: Math.min(this.#partsInFlight, parts.length) }, async () => {
      try {
        await lane();
      } catch (err) {
        cause ??= { err };
        stop.abort();
      }
    }));
    if (cause) throw cause.err;
    signal.throwIfAborted();
  }

  /**
   * Reads bytes [offset, offset+length) of the ref's block (offsets within the block) from the UFS
   * and hands each chunk to `sink` in order. One UFS request, counted for the metrics. Chunks are
   * taken from 'data' events, not an async iterator: a sink that finishes at once (a MEM-tier
   * write) costs no promise per chunk; one that returns a promise pauses the stream until it settles.
   */
  async #streamRange(run: FetchRun, offset: number, length: number, sink: (buf: Buffer) => Promise<void> | undefined): Promise<void> {
    const { ref, signal, location: { ufs, ufsPath } } = run;
    // Exactly the ref's version: by its versionId where the bucket keeps versions, and If-Match on its ETag.
    const byId = ref.versionId === '' ? {} : { versionId: ref.versionId };
    const what = `${length} bytes at ${offset} of block ${ref.index} of ${ref.path}`;
    let got = 0;
    try {
      const stream = await ufs.read(ufsPath, { offset: ref.index * ref.blockSize + offset, length, ifMatch: ref.version, ...byId, signal });
      let writing: Promise<void> | undefined;
      const fail = (err: unknown): void => { stream.destroy(err instanceof Error ? err : new Error(String(err))); };
      stream.on('data', (chunk: Buffer | Uint8Array) => {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        try {
          if (got + buf.length > length) throw new UnavailableError(`UFS returned more than the ${what}`);
          got += buf.length;
          const w = sink(buf);
          if (w === undefined) return;
          stream.pause();
          writing = w.then(() => { writing = undefined; stream.resume(); }, fail);
        } catch (err) {
          fail(err);
        }
      });
      await finished(stream);
      await writing;
      if (got !== length) throw new UnavailableError(`UFS returned ${got} of the ${what}`);
      this.#options.onUfsRequest?.(ref.dataset, got);
    } catch (err) {
      // Not a request error when this fetch stopped it (another part failed) or the worker is closing.
      if (!run.stop.signal.aborted && !this.#controller.signal.aborted) this.#options.onUfsRequest?.(ref.dataset, got, err);
      throw err;
    }
  }
}

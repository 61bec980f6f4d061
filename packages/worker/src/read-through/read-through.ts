// Read-through: fetches a missing block from its UFS once, hands the bytes to every waiting
// reader as they arrive, and stores the block. Concurrent misses of one key share one fetch;
// a failed fetch leaves no block behind and every reader gets the typed error. Bounded: a ref
// must carry its dataset's block size, at most `maxConcurrentFetches` fetches run at once, and
// each holds at most `fetchWindowBytes` in memory (block-fetch.ts).
import type { FileHandle } from 'node:fs/promises';
import { EddyError, UnavailableError, TimeoutError, AbortedError, ValidationError, silentLogger, type Logger } from '@eddy/core';
import type { BlockStore, BlockWriter } from '../store/block-store.js';
import type { ValidBlockRef } from '../blocks/block-ref.js';
import type { FetchReason } from '@eddy/metrics';
import type { UfsLocator } from './ufs-locator.js';
import { WORKER_DEFAULTS } from '../config/worker-defaults.js';
import { BlockFetch, type BlockFetchControl } from './block-fetch.js';
import { FetchSlots } from './fetch-slots.js';


export interface ReadThroughOptions {
  store: BlockStore;
  locator: UfsLocator;
  logger?: Logger;
  /** Deadline of one block fetch from the UFS (waiting for a slot included). Default 120 s. */
  fetchTimeoutMs?: number;
  /** Fetches from the UFS at once; more wait for a slot. Default 16. */
  maxConcurrentFetches?: number;
  /** Bytes one fetch holds in memory ahead of its slowest consumer. Default 4 MiB. */
  fetchWindowBytes?: number;
  /** Called with the byte count of every completed UFS fetch. */
  onFetched?: (bytes: number) => void;
  /** One request to the UFS for `dataset` ended: `bytes` read, or `err` (not for aborts by close). */
  onUfsRequest?: (dataset: string, bytes: number, err?: unknown) => void;
  /** A fetch of a whole block ended (once per fetch, however many readers joined it); `ok`: stored. */
  onBlockFetched?: (dataset: string, reason: FetchReason, ok: boolean) => void;
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

  constructor(options: ReadThroughOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger();
    this.#slots = new FetchSlots(options.maxConcurrentFetches ?? WORKER_DEFAULTS.maxConcurrentFetches);
    this.#windowBytes = options.fetchWindowBytes ?? WORKER_DEFAULTS.fetchWindowBytes;
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
    const f = new BlockFetch(ref, this.#windowBytes, (self, control) => this.#run(self, control), (err) => asEddyError(err, `fetching block ${ref.index} of ${ref.dataset}:${ref.path}`));
    const onFetched = this.#options.onBlockFetched;
    if (onFetched) f.done.then((r) => onFetched(ref.dataset, reason, r.stored), () => onFetched(ref.dataset, reason, false));
    if (this.#inflight.has(ref.key)) return f;
    this.#inflight.set(ref.key, f);
    void f.done.catch(() => undefined).finally(() => { if (this.#inflight.get(ref.key) === f) this.#inflight.delete(ref.key); });
    return f;
  }

  /**
   * The block file is written by a consumer of the fetch like any reader, so neither the
   * reservation (which may have to demote blocks first) nor disk writes delay the readers until
   * the window is full. A full cache still serves the readers, uncached. Resolves to whether the
   * block was stored. `bytes` was registered before the first byte arrived.
   */
  async #store(f: BlockFetch, control: BlockFetchControl, bytes: AsyncGenerator<Buffer>, stop: AbortController): Promise<boolean> {
    const { ref } = f;
    let writer: BlockWriter;
    try {
      writer = await this.#options.store.createWriter(ref.key, ref.length);
    } catch (err) {
      this.#logger.warn({ key: ref.key, err }, 'cannot cache block; serving it uncached');
      stop.abort();
      return false;
    }
    let file: FileHandle | undefined;
    try {
      file = await writer.openReader();
      control.attachFile(file);
      let written = 0;
      for await (const chunk of bytes) {
        await writer.write(chunk);
        written += chunk.length;
        control.fileWritten(written);
      }
      await writer.commit();
      return true;
    } catch (err) {
      if (!stop.signal.aborted) this.#logger.warn({ key: ref.key, err }, 'cannot write block file; served uncached');
      stop.abort();
      await writer.abort();
      return false;
    } finally {
      control.fileClosed();
    }
  }

  async #run(f: BlockFetch, control: BlockFetchControl): Promise<boolean> {
    const { ref } = f;
    const timeoutMs = this.#options.fetchTimeoutMs ?? WORKER_DEFAULTS.fetchTimeoutMs;
    const signal = AbortSignal.any([this.#controller.signal, AbortSignal.timeout(timeoutMs)]);
    // Taken before the first byte can arrive: the window keeps every byte for the writer.
    const stopWriter = new AbortController();
    const bytes = f.writerRange(stopWriter.signal);
    let release: (() => void) | undefined;
    let storeTask: Promise<boolean> | undefined;
    try {
      release = await this.#slots.acquire(signal);
      storeTask = this.#store(f, control, bytes, stopWriter);
      const { ufs, ufsPath } = await this.#options.locator.locate(ref.dataset, ref.path, { signal });
      // Exactly the ref's version: by its versionId where the bucket keeps versions, and If-Match on its ETag.
      const byId = ref.versionId === '' ? {} : { versionId: ref.versionId };
      const range = { offset: ref.index * ref.blockSize, length: ref.length };
      const stream = await ufs.read(ufsPath, { ...range, ifMatch: ref.version, ...byId, signal });
      let got = 0;
      for await (const chunk of stream) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        if (got + buf.length > ref.length) throw new UnavailableError(`UFS returned more than the ${ref.length} bytes of block ${ref.index} of ${ref.path}`);
        got += buf.length;
        await control.push(buf, signal);
      }
      if (got !== ref.length) throw new UnavailableError(`UFS returned ${got} of the ${ref.length} bytes of block ${ref.index} of ${ref.path}`);
      this.#options.onFetched?.(got);
      this.#options.onUfsRequest?.(ref.dataset, got);
    } catch (err) {
      if (!this.#controller.signal.aborted && release) this.#options.onUfsRequest?.(ref.dataset, 0, err);
      // Stop the block writer and let it remove its temp file before any reader hears of the
      // failure: once a reader has the error, nothing of the block is left on disk.
      stopWriter.abort();
      await storeTask;
      throw err;
    } finally {
      release?.();
    }
    return await storeTask;
  }
}

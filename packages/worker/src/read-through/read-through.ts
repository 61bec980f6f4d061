// Read-through: fetches a missing block from its UFS once, hands the bytes to every waiting
// reader as they arrive, and stores the block. Concurrent misses of one key share one fetch;
// a failed fetch leaves no block behind and every reader gets the typed error.
import { EddyError, UnavailableError, TimeoutError, AbortedError, silentLogger, type Logger } from '@eddy/core';
import type { BlockStore, BlockWriter } from '../store/block-store.js';
import type { ValidBlockRef } from '../blocks/block-ref.js';
import type { FetchReason } from '@eddy/metrics';
import type { UfsLocator } from './ufs-locator.js';
import { WORKER_DEFAULTS } from '../config/worker-defaults.js';

export interface ReadThroughOptions {
  store: BlockStore;
  locator: UfsLocator;
  logger?: Logger;
  /** Deadline of one block fetch from the UFS. Default 120 s. */
  fetchTimeoutMs?: number;
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

/** Hands the bytes of a fetch, as they arrive from the UFS, to its readers. */
type PushChunk = (chunk: Buffer) => void;

/** One in-flight fetch of one block; bytes stay in memory until the last reader lets go of it. */
export class BlockFetch {
  readonly #chunks: Buffer[] = [];
  #received = 0;
  #finished = false;
  #failure: EddyError | undefined;
  #wake: Array<() => void> = [];
  /** Resolves when the fetch ends: bytes read from the UFS, whether the block was stored. */
  readonly done: Promise<{ bytes: number; stored: boolean }>;

  constructor(readonly ref: ValidBlockRef, run: (fetch: BlockFetch, push: PushChunk) => Promise<boolean>) {
    this.done = run(this, (chunk) => this.#push(chunk)).then(
      (stored) => { this.#finish(); return { bytes: this.#received, stored }; },
      (err: unknown) => {
        const failure = asEddyError(err, `fetching block ${ref.index} of ${ref.dataset}:${ref.path}`);
        this.#finish(failure);
        throw failure;
      },
    );
    // Readers observe failures through `range`; nobody has to await `done`.
    this.done.catch(() => undefined);
  }

  #push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#received += chunk.length;
    this.#notify();
  }

  #finish(err?: EddyError): void {
    this.#finished = true;
    this.#failure = err;
    this.#notify();
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = [];
    for (const f of w) f();
  }

  /** Bytes [offset, offset+length) of the block, yielded as soon as they arrive. */
  async *range(offset: number, length: number, signal?: AbortSignal): AsyncGenerator<Buffer> {
    const end = offset + length;
    let pos = 0; // file position of chunks[ci]
    let ci = 0;
    let cur = offset;
    while (cur < end) {
      if (signal?.aborted) throw new AbortedError('read aborted');
      if (this.#failure) throw this.#failure;
      if (ci < this.#chunks.length) {
        const c = this.#chunks[ci]!;
        const cEnd = pos + c.length;
        if (cEnd > cur) {
          const from = cur - pos;
          const to = Math.min(c.length, end - pos);
          yield c.subarray(from, to);
          cur = pos + to;
        }
        if (cur >= cEnd) { pos = cEnd; ci++; }
        continue;
      }
      if (this.#finished) {
        if (this.#failure) throw this.#failure;
        throw new UnavailableError(`block ${this.ref.key} ended after ${this.#received} of ${this.ref.length} bytes`);
      }
      await new Promise<void>((resolve) => {
        const done = (): void => { signal?.removeEventListener('abort', done); resolve(); };
        this.#wake.push(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }
}

export class ReadThrough {
  readonly #options: ReadThroughOptions;
  readonly #inflight = new Map<string, BlockFetch>();
  readonly #logger: Logger;
  readonly #controller = new AbortController();

  constructor(options: ReadThroughOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger();
  }

  get inflightCount(): number { return this.#inflight.size; }

  /** Joins the fetch of `ref` in flight, or starts one; `reason` says who started it (for the metrics). */
  fetch(ref: ValidBlockRef, reason: FetchReason = 'read_through'): BlockFetch {
    const existing = this.#inflight.get(ref.key);
    // Join only a fetch of the same length: the key does not cover the file size, so a ref that
    // lies about it gets a fetch of its own instead of cutting short everyone else's read.
    if (existing && existing.ref.length === ref.length) return existing;
    const f = new BlockFetch(ref, (self, push) => this.#run(self, push));
    const onFetched = this.#options.onBlockFetched;
    if (onFetched) f.done.then((r) => onFetched(ref.dataset, reason, r.stored), () => onFetched(ref.dataset, reason, false));
    if (existing) return f;
    this.#inflight.set(ref.key, f);
    void f.done.catch(() => undefined).finally(() => { if (this.#inflight.get(ref.key) === f) this.#inflight.delete(ref.key); });
    return f;
  }

  /** Aborts fetches in flight (readers get AbortedError). */
  close(): void { this.#controller.abort(); }

  /**
   * The block file is written by a reader of the fetch like any other, so neither the
   * reservation (which may have to demote blocks first) nor disk writes delay the readers.
   * A full cache still serves the readers, uncached. Resolves to whether the block was stored.
   */
  async #store(f: BlockFetch, stop: AbortSignal): Promise<boolean> {
    const { ref } = f;
    let writer: BlockWriter;
    try {
      writer = await this.#options.store.createWriter(ref.key, ref.length);
    } catch (err) {
      this.#logger.warn({ key: ref.key, err }, 'cannot cache block; serving it uncached');
      return false;
    }
    try {
      for await (const chunk of f.range(0, ref.length, stop)) await writer.write(chunk);
      await writer.commit();
      return true;
    } catch (err) {
      if (!stop.aborted) this.#logger.warn({ key: ref.key, err }, 'cannot write block file; served uncached');
      await writer.abort();
      return false;
    }
  }

  async #run(f: BlockFetch, push: PushChunk): Promise<boolean> {
    const { ref } = f;
    const timeoutMs = this.#options.fetchTimeoutMs ?? WORKER_DEFAULTS.fetchTimeoutMs;
    const signal = AbortSignal.any([this.#controller.signal, AbortSignal.timeout(timeoutMs)]);
    const stopWriter = new AbortController();
    const storeTask = this.#store(f, stopWriter.signal);
    try {
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
        push(buf);
      }
      if (got !== ref.length) throw new UnavailableError(`UFS returned ${got} of the ${ref.length} bytes of block ${ref.index} of ${ref.path}`);
      this.#options.onFetched?.(got);
      this.#options.onUfsRequest?.(ref.dataset, got);
    } catch (err) {
      if (!this.#controller.signal.aborted) this.#options.onUfsRequest?.(ref.dataset, 0, err);
      // Stop the block writer and let it remove its temp file before any reader hears of the
      // failure: once a reader has the error, nothing of the block is left on disk.
      stopWriter.abort();
      await storeTask;
      throw err;
    }
    return await storeTask;
  }
}

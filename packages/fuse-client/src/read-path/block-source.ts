// The read path's one entry point. The FUSE read handler calls BlockSource.readInto with the open
// handle; everything else follows from here, in order:
//   1. the short-circuit (short-circuit.ts): a read inside one block that a worker on this host
//      has in a file tier is a pread straight into the kernel's buffer;
//   2. otherwise the handle's readahead (readahead.ts) decides what to read, ahead or exactly,
//      and asks `read` for it, which serves each block slice from a local file if one can
//      (short-circuit again, FETCH for sequential readers), else from the remote sources
//      (remote-sources.ts: holders, the preferred worker, the bucket); a small file another
//      read of its directory read ahead (dir-read-ahead.ts) is taken from memory first, and a
//      small block a worker on this host holds is read from its tier file with no pin
//      (small-block-files.ts) before any remote source.
import { AbortedError, BufferPool, blockLength, blockSlices, type BlockSlice, type Logger } from '@eddy/core';
import type { ReadaheadOptions } from '../mount-options.js';
import type { ChannelPool } from './channel-pool.js';
import type { DirReadAhead } from './dir-read-ahead.js';
import type { FastHandle, FastReads } from './fast-reads.js';
import { FileHandle } from './file-handle.js';
import { selectHolders, type HolderView } from './holders.js';
import type { BlockPlace, PinnedVersion } from './pinned-version.js';
import type { ReadaheadBudget } from './readahead-budget.js';
import { RemoteSources } from './remote-sources.js';
import { ShortCircuit, type ShortCircuitOptions } from './short-circuit.js';
import { SmallBlockFiles, type ReadBlockFile } from './small-block-files.js';
import { newReadStats, type ReadStats, type UfsSource } from './sources.js';

/**
 * Buffers #readSmall returned whole: each its own allocation that nothing else holds, so
 * fillAtOpen hands it to C as it is (a second 64 KiB buffer per warm small file, and its copy,
 * were avoidable garbage).
 */
const WHOLE_SMALL_BLOCKS = new WeakSet<Buffer>();

export interface RangeReadOptions {
  sequential: boolean;
  signal?: AbortSignal;
  /** A buffer a worker's bytes may be read into (a pooled readahead chunk); the result is then a view of it. */
  into?: Buffer;
  /** The local tier files of small blocks were just looked at and have no good copy: do not look again. */
  noSmallFiles?: boolean;
}

export interface BlockSource {
  /** A new handle's read state for `pinned`; `fh`: its FUSE file handle (what the fast read path keys on). */
  open(pinned: PinnedVersion, fh?: number): FileHandle;
  /**
   * At open: reads a small file (one streamed block) whole for `handle` and hands it to libfuse's
   * threads, so none of its reads comes to JS (fast-reads.ts, memory entries). Never throws: when it
   * cannot (no fast path, too large, no budget, the read failed) the handle reads as usual. A
   * promise only when it has to wait: a warm small file whose bytes are at hand is done at once, so
   * its open answers in the same turn of the event loop.
   */
  fillAtOpen(handle: FileHandle): Promise<void> | undefined;
  /** Reads up to `length` bytes at `offset` of the handle's pinned version into `target`; the count (fewer only at EOF). */
  readInto(handle: FileHandle, target: Buffer, offset: number, length: number): Promise<number>;
  /** Bytes [offset, offset+length) of `pinned`, clipped at EOF. `sequential`: the caller reads on (a whole-block FETCH pays off). */
  read(pinned: PinnedVersion, offset: number, length: number, options: RangeReadOptions): Promise<Buffer>;
  readonly stats: ReadStats;
  close(): void;
}

export type DatasetBlockSourceOptions = Omit<ShortCircuitOptions, 'view' | 'stats' | 'workerFailed'> & {
  channels: ChannelPool;
  ufs: UfsSource;
  /** Our host id: workers with the same id share our filesystem. '' disables short-circuit reads. */
  hostId: string;
  logger: Logger;
  workerTimeoutMs: number;
  budget: ReadaheadBudget;
  readahead: ReadaheadOptions;
  /** The runtime's live workers (data addresses): the last read-through sources before the bucket. */
  liveWorkers?: (options?: { fresh?: boolean }) => Promise<readonly string[]>;
  /** Reads the other small files of a directory ahead when one is read cold. */
  dirReadAhead?: DirReadAhead;
  /** The runtime the workers serve (where their block files are); none: small blocks are never read from a local file. */
  runtime?: string;
  /** Reads a small block's tmpfs file in one native call (SmallBlockFiles). */
  readBlockFile?: ReadBlockFile | undefined;
};

/** Free readahead chunk buffers kept for reuse (16 × 4 MiB with MOUNT_DEFAULTS); more in use are fine. */
const MAX_FREE_CHUNKS = 16;

export class DatasetBlockSource implements BlockSource {
  readonly stats: ReadStats = newReadStats();
  readonly #o: DatasetBlockSourceOptions;
  readonly #view: HolderView;
  readonly #local: ShortCircuit;
  readonly #remote: RemoteSources;
  readonly #small: SmallBlockFiles | undefined;
  /** Readahead chunk buffers, reused across handles. */
  readonly #chunks: BufferPool;

  constructor(options: DatasetBlockSourceOptions) {
    this.#o = options;
    this.#chunks = new BufferPool(options.readahead.chunkBytes, MAX_FREE_CHUNKS);
    const { channels, logger } = options;
    this.#view = { hostId: options.hostId, isSuspect: (address) => channels.isSuspect(address) };
    const workerFailed = (address: string): void => {
      this.stats.workerFailures++;
      options.meter.workerFailed();
      channels.markFailed(address);
      this.#local.forget(address);
    };
    this.#local = new ShortCircuit({ ...options, view: this.#view, stats: this.stats, workerFailed });
    this.#small = options.runtime !== undefined && options.hostId !== ''
      ? new SmallBlockFiles({
          tierRoots: options.tierRoots, runtime: options.runtime, view: this.#view, stats: this.stats, logger, readBlockFile: options.readBlockFile,
        })
      : undefined;
    this.#remote = new RemoteSources({
      channels, view: this.#view, ufs: options.ufs, stats: this.stats, meter: options.meter, logger, workerFailed, workerTimeoutMs: options.workerTimeoutMs,
      ...(options.liveWorkers ? { liveWorkers: options.liveWorkers } : {}),
    });
  }

  open(pinned: PinnedVersion, fh?: number): FileHandle {
    return new FileHandle(pinned, this.#o.budget, this.#o.readahead,
      async (p, offset, length, sequential, signal, into) => await this.read(p, offset, length, { sequential, signal, ...(into ? { into } : {}) }),
      this.#o.fast, fh, this.#chunks);
  }

  fillAtOpen(handle: FileHandle): Promise<void> | undefined {
    const { pinned } = handle;
    const fast = this.#o.fast;
    const fh = handle.cursor.fast;
    const size = pinned.size;
    if (!fast || !fh || size >= this.#o.shortCircuitMinBytes || size > pinned.blockSize || !fast.reserveMemory(size)) return undefined;
    const now = this.#fillNow(pinned, fast, fh);
    return now === 'done' ? undefined : this.#fillAfterWait(handle, fast, fh, now === 'looked');
  }

  /** fillAtOpen's general path, with the file's bytes reserved; `looked`: the local tier files had no good copy. */
  async #fillAfterWait(handle: FileHandle, fast: FastReads, fh: FastHandle, looked: boolean): Promise<void> {
    const { pinned } = handle;
    const size = pinned.size;
    let data: Buffer;
    try {
      // The handle's own pinned version, through the same sources as its first read would take.
      data = await handle.run(async (signal) => await this.read(pinned, 0, size, { sequential: true, signal, noSmallFiles: looked }));
    } catch (err) {
      fast.unreserveMemory(size);
      this.#o.logger.debug({ err, path: pinned.path }, 'read at open failed; the handle reads as usual');
      return;
    }
    if (data.length !== size) {
      fast.unreserveMemory(size);
      return;
    }
    // A buffer of its own, since C reads it until the handle closes: what a read returns may be a
    // view of a pooled or reused one. A whole small block from its tier file already is one.
    let own = data;
    if (!WHOLE_SMALL_BLOCKS.has(data)) {
      own = Buffer.allocUnsafeSlow(size);
      data.copy(own);
    }
    if (fast.enterMemory(fh, own, pinned.blockSize)) this.stats.openReads++;
  }

  /**
   * fillAtOpen's first try, with no await, when all it needs is at hand: a warm small file of a
   * listed directory whose block a worker on this host keeps on tmpfs. Such an open then runs in one
   * turn of the event loop: the dozen awaits of the general path, each a promise and a microtask,
   * cost a tenth of the mount's CPU per warm small file (docs/performance.md). The file's bytes are
   * reserved. 'done' when they are now in C (the reservation is C's, or given back by a refusal);
   * else the general path runs with the reservation, and 'looked' says the local tier files were
   * looked at and had no good copy (a bad one is counted once, not twice).
   */
  #fillNow(pinned: PinnedVersion, fast: FastReads, fh: FastHandle): 'done' | 'looked' | 'not-now' {
    const place = this.#small && this.#o.dirReadAhead?.idle !== false ? pinned.placeNow(0) : undefined;
    if (!place?.current) return 'not-now';
    let block: Buffer | null | undefined;
    try {
      block = this.#small!.readNow(place);
    } catch (err) {
      this.#o.logger.debug({ err, block: place.ref.key }, 'reading a small block from its local file failed; reading it otherwise');
      block = null;
    }
    if (!block || block.length !== pinned.size) return block === null ? 'looked' : 'not-now';
    this.#countSmallLocal(block.length);
    // enterMemory gives the reservation back itself when it refuses.
    if (fast.enterMemory(fh, block, pinned.blockSize)) this.stats.openReads++;
    return 'done';
  }

  async readInto(handle: FileHandle, target: Buffer, offset: number, length: number): Promise<number> {
    const { pinned, readahead } = handle;
    handle.jsReads++;
    if (offset >= pinned.size || length <= 0) return 0;
    const end = Math.min(pinned.size, offset + length);
    // A reader whose last reads libfuse's threads answered (fast-reads.ts) looks random to the readahead.
    const sequential = readahead.isSequential(offset) || handle.cursor.fast?.follows(offset, pinned.blockSize) === true;
    if (handle.closed) throw new AbortedError(`${pinned.path}: file handle closed`);
    const n = await this.#local.readInto(pinned, handle.cursor, target, offset, end - offset, { sequential, signal: handle.signal });
    if (n !== null) {
      readahead.advance(end);
      return n;
    }
    return await readahead.readInto(offset, end - offset, target);
  }

  async read(pinned: PinnedVersion, offset: number, length: number, options: RangeReadOptions): Promise<Buffer> {
    const slices = blockSlices(offset, length, pinned.size, pinned.blockSize);
    if (slices.length === 0) return Buffer.alloc(0);
    if (slices.length === 1) return await this.#readSlice(pinned, slices[0]!, options);
    // A pooled buffer holds one chunk, not the slices of several blocks.
    const each: RangeReadOptions = { sequential: options.sequential, ...(options.signal ? { signal: options.signal } : {}) };
    return Buffer.concat(await Promise.all(slices.map(async (s) => await this.#readSlice(pinned, s, each))));
  }

  async #readSlice(pinned: PinnedVersion, slice: BlockSlice, o: RangeReadOptions): Promise<Buffer> {
    const ahead = this.#o.dirReadAhead;
    const early = ahead ? await ahead.take(pinned, slice, o.signal) : undefined;
    if (early) return early;
    const place = await pinned.place(slice.index, o.signal);
    const local = await this.#local.readSlice(place, slice.offsetInBlock, slice.length, o) ?? (o.noSmallFiles ? null : await this.#readSmall(place, slice));
    if (local) return local;
    // No worker holds it: its directory's other small files are probably cold and read next.
    if (ahead && place.holders.length === 0 && slice.index === 0) ahead.coldOpen(pinned);
    const holders = place.current ? selectHolders(place, this.#view, this.#local.fetchedHolder(place)) : [];
    return await this.#remote.readSlice(pinned, place, slice, holders, o.signal, o.into);
  }

  /** A small block (never pinned) from a local worker's tier file, metered as a local hit; null when none has it. */
  async #readSmall(place: BlockPlace, slice: BlockSlice): Promise<Buffer | null> {
    const { ref } = place;
    if (!this.#small || blockLength(Number(ref.fileSize), Number(ref.blockSize), place.index) >= this.#o.shortCircuitMinBytes) return null;
    let block: Buffer | null;
    try {
      block = await this.#small.read(place);
    } catch (err) {
      this.#o.logger.debug({ err, block: ref.key }, 'reading a small block from its local file failed; reading it otherwise');
      return null;
    }
    if (!block) return null;
    this.#countSmallLocal(slice.length);
    if (slice.offsetInBlock !== 0 || slice.length !== block.length) return block.subarray(slice.offsetInBlock, slice.offsetInBlock + slice.length);
    WHOLE_SMALL_BLOCKS.add(block);
    return block;
  }

  /** A small block read from a local tier file: a local hit of `bytes`. */
  #countSmallLocal(bytes: number): void {
    this.stats.smallLocal++;
    this.stats.local++;
    this.#o.meter.read('local', bytes);
  }

  close(): void {
    this.#local.close();
    this.#o.dirReadAhead?.close();
  }
}

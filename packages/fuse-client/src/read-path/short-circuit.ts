// The local short-circuit: blocks held by a worker on this host are read straight from their files
// in the worker's file tier (as HDFS and Alluxio do), never through a socket. Everything about it
// lives here: which local file may serve a block, the FETCH decision, the pinned open files, pin-
// ahead of a sequential reader, and the memory of FETCHes that failed.
//
// FETCH: a sequential reader of an uncached block whose preferred worker shares our host asks that
// worker to fetch the whole block and then reads its file like a cached one: the bytes go bucket →
// worker → tier file → us, and never through the data channel, which cost more CPU than everything
// else on the cold path (the worker still reads the block from the bucket once). Random readers and small blocks are
// streamed instead: waiting for a whole block costs them more than it saves.
//
// Which files: only what local-block-opener.ts accepts (a regular file of the block's length in a
// tier directory the worker registered, opened without following links); a refused one is read
// through the data channel, counted (ReadStats.localRefused) and logged once per worker.
//
// Small blocks (under shortCircuitMinBytes) are never read here: one READ costs less than a pin.
// The pinned, open files: block-files.ts. Once a handle has read a block here, its further reads
// inside that block are answered in C by libfuse's threads (fast-reads.ts); a FETCHed block's
// entry takes the bytes still to be metered as misses, which C counts.
import { readSync } from 'node:fs';
import { blockLength, EddyError, type Logger } from '@eddy/core';
import type { proto } from '@eddy/protocol';
import { LRUCache } from 'lru-cache';
import type { MountTunables } from '../mount-options.js';
import { BlockFiles, blockFileId, type LocalFile } from './block-files.js';
import type { ChannelPool } from './channel-pool.js';
import type { FastHandle, FastReads, MissBudget } from './fast-reads.js';
import { onThisHost, selectHolders, type HolderView } from './holders.js';
import { LocalBlockOpener } from './local-block-opener.js';
import type { TierRoots } from './worker-tier-roots.js';
import type { BlockPlace, PinnedVersion, WorkerAddress } from './pinned-version.js';
import type { ReadMeter, ReadStats } from './sources.js';

/** The tunables of the short-circuit (documented in MountTunables). */
type ShortCircuitTunables = Pick<MountTunables, 'pinAheadBlocks' | 'fetchLocalMinBytes' | 'shortCircuitMinBytes' | 'fetchTimeoutMs' | 'fetchFailureMs'
  | 'fetchMemoryEntries' | 'fetchMemoryMs' | 'openBlockFiles' | 'blockFileIdleMs' | 'notLocalMemoryMs'>;

export interface ShortCircuitOptions extends ShortCircuitTunables {
  view: HolderView;
  channels: ChannelPool;
  stats: ReadStats;
  meter: ReadMeter;
  logger: Logger;
  /** The tier directories local workers registered: the only places a block file is opened. */
  tierRoots: TierRoots;
  /** Takes a worker out of rotation (ChannelPool.markFailed, forget its pins, count it). */
  workerFailed(dataAddress: string): void;
  /** Hands blocks read here to libfuse's threads (the patched fuse-native); none: every read comes to JS. */
  fast?: FastReads | undefined;
}

/** What one handle's kernel reads remember between calls (kept by the handle, used only here). */
export interface LocalCursor {
  /** The block last served locally; entering another one pins the blocks after it. */
  block: number;
  /** The block found not local: kernel reads in it go straight to streaming. */
  missBlock: number;
  /** The handle's blocks whose reads libfuse's threads answer; undefined when the handle has no FUSE fh. */
  fast: FastHandle | undefined;
  /** The in-memory file that served the handle's last local read, while its block is the one being read. */
  hot: HotBlock | undefined;
}

export function newLocalCursor(fast?: FastHandle): LocalCursor {
  return { block: -1, missBlock: -1, fast, hot: undefined };
}

/**
 * The file of the block a handle is reading, kept after its first local read so the block's next
 * kernel reads are one readSync: no location, holder or FETCH lookup and no await. Those that
 * still come here once the block is in the fast read path: reads C did not answer (across its
 * end, a handle with no FUSE fh, a binary that cannot count misses).
 */
interface HotBlock {
  index: number;
  file: LocalFile;
  address: string;
  /** The FETCH that stored it (its misses are metered), or undefined for a block a holder had. */
  fetchId: string | undefined;
}

/** A local read: the file that served it, and the FETCH that stored it (its first bytes are misses), if any. */
interface LocalRead { file: LocalFile; address: string; fetchId: string | undefined }

interface ReadOptions { sequential: boolean; signal?: AbortSignal | undefined }

/** A FETCH asked of a local worker; `ufsLeft`: the bytes it read from the bucket that no read returned yet (misses; a fast entry may hold them). */
interface FetchEntry extends MissBudget {
  promise: Promise<boolean>;
  ok: boolean | undefined;
}

/** Typed answers to a FETCH that leave the worker in rotation (anything else takes it out). */
const HEALTHY_FETCH_FAILURES = new Set(['NO_SPACE', 'NOT_FOUND', 'VERSION_MISMATCH']);

export class ShortCircuit {
  readonly #o: ShortCircuitOptions;
  readonly #files: BlockFiles;
  /**
   * FETCHes asked of local workers, by worker and block key: shared by the slices of a block, and
   * remembered afterwards (a handle's locations do not learn of new holders).
   */
  readonly #fetched: LRUCache<string, FetchEntry>;
  /** Workers whose refused block files were logged (once each). */
  readonly #refusedLogged = new Set<string>();

  constructor(options: ShortCircuitOptions) {
    this.#o = options;
    const opener = new LocalBlockOpener(options.tierRoots);
    this.#files = new BlockFiles({
      max: options.openBlockFiles, idleMs: options.blockFileIdleMs, missMs: options.notLocalMemoryMs, opener, fast: options.fast,
      onRefused: (address, err) => {
        this.#o.stats.localRefused++;
        if (this.#refusedLogged.has(address)) return;
        this.#refusedLogged.add(address);
        this.#o.logger.warn({ err, worker: address }, 'refused a local block file; reading such blocks through the data channel');
      },
    });
    this.#fetched = new LRUCache<string, FetchEntry>({ max: options.fetchMemoryEntries, ttl: options.fetchMemoryMs });
  }

  /**
   * A kernel read inside one block, `pread` straight into `target` from a local block file, with
   * no intermediate buffer and no readahead (the page cache of a file tier is memory already).
   * Null when it must be streamed instead: not local (either block, for a read across a boundary).
   */
  async readInto(
    pinned: PinnedVersion, cursor: LocalCursor, target: Buffer, offset: number, length: number, o: ReadOptions,
  ): Promise<number | null> {
    if (this.#o.view.hostId === '' || length <= 0) return null;
    const index = Math.floor(offset / pinned.blockSize);
    const last = Math.floor((offset + length - 1) / pinned.blockSize);
    if (last === index) return await this.#readInBlock(pinned, cursor, target, offset, length, o);
    // The kernel's readahead windows need not start on a block boundary, so a sequential reader's
    // kernel read may span two blocks: read each part here, rather than have the handle's readahead
    // fetch (and meter) its whole window of chunks from the same files again. Only if the second
    // part is not local are its first part's bytes read (and metered) a second time, by streaming.
    if (last !== index + 1 || cursor.missBlock === index || cursor.missBlock === last) return null;
    const cut = last * pinned.blockSize - offset;
    if ((await this.#readInBlock(pinned, cursor, target.subarray(0, cut), offset, cut, o)) === null) return null;
    if ((await this.#readInBlock(pinned, cursor, target.subarray(cut, length), offset + cut, length - cut, o)) === null) return null;
    return length;
  }

  /** readInto() of a range inside block `floor(offset / blockSize)`. */
  async #readInBlock(
    pinned: PinnedVersion, cursor: LocalCursor, target: Buffer, offset: number, length: number, o: ReadOptions,
  ): Promise<number | null> {
    const index = Math.floor(offset / pinned.blockSize);
    if (index === cursor.missBlock || this.#streamed(pinned.size, pinned.blockSize, index)) return null;
    const hot = cursor.hot;
    if (hot !== undefined) {
      if (hot.index === index && this.#readHot(hot, offset - index * pinned.blockSize, target, length)) {
        this.#meterHot(hot, length);
        this.#enterFast(pinned, cursor, index, hot.file, hot.fetchId);
        return length;
      }
      cursor.hot = undefined;
    }
    const place = await pinned.place(index, o.signal);
    // Before waiting for a FETCH of this block, start the blocks after it too.
    const local = await this.#readLocal(place, offset - index * pinned.blockSize, target, length, o, () => this.#pinAhead(pinned, index, true));
    if (local === null) {
      cursor.missBlock = index;
      cursor.block = -1;
      return null;
    }
    cursor.missBlock = -1;
    if (local.file.inMemory) cursor.hot = { index, file: local.file, address: local.address, fetchId: local.fetchId };
    if (index !== cursor.block) {
      // Entering a block: a sequential reader pins the next ones now so their checks overlap this
      // block's reads (and has uncached ones fetched). A random reader does not: nearly each of its
      // reads enters another block, and pinning 4 blocks per 4 KiB read cost more than the read
      // (docs/performance.md); the blocks it does visit are pinned by their first read.
      cursor.block = index;
      if (o.sequential) this.#pinAhead(pinned, index, true);
    }
    this.#enterFast(pinned, cursor, index, local.file, local.fetchId);
    return length;
  }

  /**
   * The block's next reads by this handle go to libfuse's threads. A FETCHed block's entry takes
   * the FETCH's bytes still to be metered as misses: C counts them, so every byte is metered once.
   */
  #enterFast(pinned: PinnedVersion, cursor: LocalCursor, index: number, file: LocalFile, fetchId: string | undefined): void {
    if (!cursor.fast || !this.#o.fast) return;
    const misses = fetchId === undefined ? undefined : this.#fetched.get(fetchId);
    this.#o.fast.enter(cursor.fast, index, file, blockLength(pinned.size, pinned.blockSize, index), pinned.blockSize, misses);
  }

  /**
   * A read of the handle's hot block from its still pinned, open tmpfs file; false when it must go
   * the whole way (the file was released or its worker failed, or a short read).
   */
  #readHot(hot: HotBlock, at: number, target: Buffer, length: number): boolean {
    // Synchronous: nothing can release the file between this check and the read.
    if (hot.file.disposed || this.#o.channels.isSuspect(hot.address)) return false;
    try {
      let done = 0;
      while (done < length) {
        const n = readSync(hot.file.fd, target, done, length - done, at + done);
        if (n === 0) return false;
        done += n;
      }
      return true;
    } catch (err) {
      this.#o.logger.debug({ err, worker: hot.address }, 'short-circuit read of a hot block failed');
      return false;
    }
  }

  /** Counts a hot read as #readLocal counts its first one. */
  #meterHot(hot: HotBlock, length: number): void {
    if (hot.fetchId === undefined) {
      this.#o.stats.local++;
      this.#o.meter.read('local', length);
      return;
    }
    this.#o.stats.fetchedLocal++;
    this.#meterFetched(hot.fetchId, length);
  }

  /** One slice of a streamed read (readahead chunks, reads across blocks) from a local file; null when none serves it. */
  async readSlice(place: BlockPlace, offsetInBlock: number, length: number, o: ReadOptions): Promise<Buffer | null> {
    if (this.#o.view.hostId === '' || this.#streamed(Number(place.ref.fileSize), Number(place.ref.blockSize), place.index)) return null;
    const buf = Buffer.allocUnsafe(length);
    return (await this.#readLocal(place, offsetInBlock, buf, length, o)) === null ? null : buf;
  }

  /** The preferred worker as a holder, when it stored the block for us since the locations were taken. */
  fetchedHolder(place: BlockPlace): WorkerAddress | undefined {
    const p = place.preferred;
    if (!p || p.dataAddress === '') return undefined;
    return this.#fetched.get(blockFileId(p.dataAddress, place.ref))?.ok === true ? p : undefined;
  }

  /** Drops every pinned block of a worker that failed. */
  forget(dataAddress: string): void {
    this.#files.forget(dataAddress);
  }

  close(): void {
    this.#files.close();
  }

  /**
   * The one local decision for bytes [at, at+length) of a block: a holder on this host, else the
   * preferred worker that fetched it for us, else, for a sequential reader, have the local
   * preferred worker FETCH it whole now; then pread its file.
   */
  async #readLocal(
    place: BlockPlace, at: number, target: Buffer, length: number, o: ReadOptions, beforeFetch?: () => void,
  ): Promise<LocalRead | null> {
    if (!place.current || this.#streamed(Number(place.ref.fileSize), Number(place.ref.blockSize), place.index)) return null;
    for (const h of selectHolders(place, this.#o.view)) {
      if (!onThisHost(h, this.#o.view)) break;
      const file = await this.#tryFile(h.dataAddress, place.ref, at, target, length, false);
      if (file === null) continue;
      // A holder that FETCHed the block for this mount (another handle's reader asked it, and the
      // locations taken since name it): its bytes still to be returned once are misses, as on the
      // FETCH path below, or the entry of the handle that holds them would never spend them.
      const fetchId = blockFileId(h.dataAddress, place.ref);
      if (this.#fetched.get(fetchId)?.ok === true) {
        this.#o.stats.fetchedLocal++;
        this.#meterFetched(fetchId, length);
        return { file, address: h.dataAddress, fetchId };
      }
      this.#o.stats.local++;
      this.#o.meter.read('local', length);
      return { file, address: h.dataAddress, fetchId: undefined };
    }
    const fetched = this.fetchedHolder(place);
    const from = fetched?.dataAddress ?? (o.sequential ? this.#fetchTarget(place) : undefined);
    if (from === undefined) return null;
    if (!fetched) {
      beforeFetch?.();
      if (!(await this.#fetchOnce(from, place.ref))) return null;
      o.signal?.throwIfAborted();
    }
    // Ask again even if the worker said "not local" a moment ago: it has just stored the block.
    const file = await this.#tryFile(from, place.ref, at, target, length, true);
    if (file !== null) {
      this.#o.stats.fetchedLocal++;
      const fetchId = blockFileId(from, place.ref);
      this.#meterFetched(fetchId, length);
      return { file, address: from, fetchId };
    }
    // Stored but not readable as a file here (evicted already, or not a file tier): stream it.
    if (!fetched) this.#fetched.delete(blockFileId(from, place.ref));
    return null;
  }

  /**
   * Bytes read from a block a worker FETCHed for us: misses until the bytes it got from the bucket
   * are all returned once (by JS here, or by C from a fast entry that took them: fast-reads.ts).
   */
  #meterFetched(id: string, n: number): void {
    const entry = this.#fetched.get(id);
    let ufs = Math.min(n, entry?.ufsLeft ?? 0);
    if (entry) entry.ufsLeft -= ufs;
    if (entry && ufs < n && this.#o.fast) ufs += this.#o.fast.spendMisses(entry, n - ufs);
    if (ufs > 0) this.#o.meter.read('ufs', ufs);
    if (n > ufs) this.#o.meter.read('local', n - ufs);
  }

  /** One pread attempt at worker `address`'s file of `ref`: the file, or null when it is not ours, suspect, or not local after all. */
  async #tryFile(
    address: string, ref: proto.BlockRef, at: number, target: Buffer, length: number, retryMiss: boolean,
  ): Promise<LocalFile | null> {
    if (this.#o.channels.isSuspect(address)) return null;
    try {
      return await this.#files.readInto(this.#o.channels.get(address), address, ref, at, target, length, retryMiss);
    } catch (err) {
      this.#o.logger.debug({ err, worker: address, block: ref.key }, 'short-circuit read failed');
      return null;
    }
  }

  /** Pins the blocks after `index`; `fetch`: have uncached ones fetched by the local preferred worker. */
  #pinAhead(pinned: PinnedVersion, index: number, fetch: boolean): void {
    for (let i = index + 1; i <= index + this.#o.pinAheadBlocks && i < pinned.blockCount; i++) {
      void this.#pinBlock(pinned, i, fetch).catch(() => undefined);
    }
  }

  async #pinBlock(pinned: PinnedVersion, index: number, fetch: boolean): Promise<void> {
    if (this.#streamed(pinned.size, pinned.blockSize, index)) return;
    const place = await pinned.place(index);
    if (!place.current) return;
    const h = selectHolders(place, this.#o.view)[0];
    if (h && onThisHost(h, this.#o.view)) {
      await this.#files.pin(this.#o.channels.get(h.dataAddress), h.dataAddress, place.ref, false);
      return;
    }
    const from = fetch ? this.#fetchTarget(place) : undefined;
    if (from && await this.#fetchOnce(from, place.ref)) await this.#files.pin(this.#o.channels.get(from), from, place.ref, true);
  }

  /** A small block is streamed in one READ, never pinned: the pin, the file checks and the open cost more than the copy. */
  #streamed(fileSize: number, blockSize: number, index: number): boolean {
    return blockLength(fileSize, blockSize, index) < this.#o.shortCircuitMinBytes;
  }

  /** The local preferred worker to FETCH an uncached block from, if that is the way to read it. */
  #fetchTarget(place: BlockPlace): string | undefined {
    const p = place.preferred;
    if (!p || p.dataAddress === '' || !onThisHost(p, this.#o.view) || place.holders.some((h) => h.dataAddress !== '')) return undefined;
    const { ref } = place;
    const length = blockLength(Number(ref.fileSize), Number(ref.blockSize), ref.index ?? 0);
    if (length < this.#o.fetchLocalMinBytes || this.#o.channels.isSuspect(p.dataAddress)) return undefined;
    return p.dataAddress;
  }

  /** Has `address` cache the whole block (one FETCH per block, shared); false when it could not. */
  async #fetchOnce(address: string, ref: proto.BlockRef): Promise<boolean> {
    const id = blockFileId(address, ref);
    let entry = this.#fetched.get(id);
    if (!entry) {
      const e: FetchEntry = { promise: Promise.resolve(false), ok: undefined, ufsLeft: 0 };
      // Not tied to one reader's signal: the slices of the block share it, and a block fetched
      // for a reader that went away is still cached for the next.
      e.promise = Promise.resolve()
        .then(async () => await this.#o.channels.get(address).fetchBlock(ref, { timeoutMs: this.#o.fetchTimeoutMs }))
        .then((fromBucket) => {
          e.ok = true;
          e.ufsLeft = fromBucket;
          this.#o.meter.fetch(true);
          return true;
        }, (err: unknown) => {
          // Remembered briefly: asking again per slice would have the worker read the block from
          // the bucket each time only to fail to store it (NO_SPACE).
          e.ok = false;
          this.#o.meter.fetch(false);
          if (this.#fetched.get(id) === e) this.#fetched.set(id, e, { ttl: this.#o.fetchFailureMs });
          // A typed answer (no room, gone from the bucket) leaves the worker in rotation; anything
          // else (reset, timeout) takes it out, as for a failed READ.
          if (!(err instanceof EddyError) || !HEALTHY_FETCH_FAILURES.has(err.code)) this.#o.workerFailed(address);
          this.#o.logger.debug({ err, worker: address, block: ref.key }, 'local fetch failed; streaming the block instead');
          return false;
        });
      entry = e;
      this.#fetched.set(id, e);
    }
    return await entry.promise;
  }
}

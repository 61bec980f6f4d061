// The sources behind the short-circuit, tried in order for one block slice: the holders' data
// channels, the block's preferred worker (which reads through from the bucket and caches), any
// other live worker of the runtime (which reads through the same way), and finally the bucket
// itself with If-Match on the pinned version (only a mount with --direct-ufs holds credentials for it). A failing source is skipped and
// the next one tried; only when none can serve the bytes does the read fail.
import { NotFoundError, VersionMismatchError, type BlockSlice, type Logger } from '@eddy/core';
import type { proto } from '@eddy/protocol';
import type { ChannelPool } from './channel-pool.js';
import { onThisHost, type HolderView } from './holders.js';
import type { BlockPlace, PinnedVersion, WorkerAddress } from './pinned-version.js';
import { ReadFailedError } from './read-failed-error.js';
import type { ReadMeter, ReadStats, UfsSource } from './sources.js';

export interface RemoteSourcesOptions {
  channels: ChannelPool;
  /** Which workers share our host: bytes they serve from a tier are metered as local hits. */
  view: HolderView;
  ufs: UfsSource;
  stats: ReadStats;
  meter: ReadMeter;
  logger: Logger;
  /** Takes a worker out of rotation (ChannelPool.markFailed, forget its pins, count it). */
  workerFailed(dataAddress: string): void;
  workerTimeoutMs: number;
  /** Data addresses of the runtime's live workers, tried when the holders and the preferred worker fail. */
  liveWorkers?: (options?: { fresh?: boolean }) => Promise<readonly string[]>;
}

type Attempt = { ok: true; buf: Buffer } | { ok: false; err: unknown };
/** A worker to try: its data address, the ReadStats counter a success adds to, and whether it shares our host. */
type Candidate = [address: string, counter: 'worker' | 'preferred', onHost: boolean];
/** What the attempts of one slice read have learnt: whom they tried, and the last failure. */
interface Attempts { tried: Set<string>; lastErr: unknown }

export class RemoteSources {
  readonly #o: RemoteSourcesOptions;

  constructor(options: RemoteSourcesOptions) {
    this.#o = options;
  }

  /**
   * `slice` of `pinned` from `holders` (selectHolders' order), the preferred worker, or the bucket.
   * `into`: a worker's bytes are read into it (the result is a view of it); the bucket's are not.
   */
  async readSlice(
    pinned: PinnedVersion, place: BlockPlace, slice: BlockSlice, holders: readonly WorkerAddress[], signal?: AbortSignal, into?: Buffer,
  ): Promise<Buffer> {
    // A buffer too small for the slice is not used (a chunk larger than the pool's buffers).
    const target = into && into.length >= slice.length ? into : undefined;
    const attempts: Attempts = { tried: new Set<string>(), lastErr: undefined };
    const { view, liveWorkers } = this.#o;
    const known: Candidate[] = holders.map((h) => [h.dataAddress, 'worker', onThisHost(h, view)]);
    if (place.preferred) known.push([place.preferred.dataAddress, 'preferred', onThisHost(place.preferred, view)]);
    const buf = await this.#firstOf(known, pinned, place, slice, attempts, signal, target);
    if (buf) return buf;
    // Any other live worker reads a miss through; its list is asked for only once the others failed.
    if (liveWorkers) {
      const candidates = async (fresh: boolean): Promise<Candidate[]> =>
        (await liveWorkers({ fresh }).catch(() => [])).map((address): Candidate => [address, 'preferred', false]);
      let live = await candidates(false);
      // Every listed worker already failed this read or is suspect: the list may predate a worker's
      // restart on a new port (the CI failure of security-secrets after a worker kill -9); ask again once.
      if (!live.some(([address]) => !attempts.tried.has(address) && !this.#o.channels.isSuspect(address))) live = await candidates(true);
      const viaLive = await this.#firstOf(live, pinned, place, slice, attempts, signal, target);
      if (viaLive) return viaLive;
    }
    return await this.#readBucket(pinned, slice, attempts.lastErr, signal);
  }

  /** The slice from the first of `candidates` that serves it (plain loops: this runs for every remote read). */
  async #firstOf(
    candidates: readonly Candidate[], pinned: PinnedVersion, place: BlockPlace, slice: BlockSlice, attempts: Attempts, signal?: AbortSignal,
    into?: Buffer,
  ): Promise<Buffer | undefined> {
    for (const [address, counter, onHost] of candidates) {
      // Checked again: an earlier attempt of this or another read may have failed it meanwhile.
      if (attempts.tried.has(address) || this.#o.channels.isSuspect(address)) continue;
      attempts.tried.add(address);
      const r = await this.#readWorker(pinned, address, onHost, place.ref, slice, signal, into);
      if (r.ok) {
        this.#o.stats[counter]++;
        return r.buf;
      }
      attempts.lastErr = r.err;
    }
    return undefined;
  }

  async #readWorker(
    pinned: PinnedVersion, address: string, onHost: boolean, ref: proto.BlockRef, slice: BlockSlice, signal?: AbortSignal, into?: Buffer,
  ): Promise<Attempt> {
    try {
      let source: 'cache' | 'ufs' = 'cache';
      const buf = await this.#o.channels.get(address).readBlock(ref, slice.offsetInBlock, slice.length, {
        signal, timeoutMs: this.#o.workerTimeoutMs, onSource: (s) => { source = s; }, ...(into ? { into } : {}),
      });
      if (buf.length !== slice.length) {
        throw new ReadFailedError(`short block read from ${address}: ${buf.length} of ${slice.length} bytes`, false);
      }
      // A worker reading the block through for us is a miss, whoever streams it; a block held on
      // this host is a local hit however it is read (small blocks are streamed, not pinned).
      this.#o.meter.read(source !== 'cache' ? 'ufs' : onHost ? 'local' : 'remote', buf.length);
      return { ok: true, buf };
    } catch (err) {
      if (signal?.aborted) throw err;
      pinned.invalidate(slice.index);
      // A worker that answered with a typed "no such block/version" is healthy; anything else
      // (reset, refused, timeout, corrupt) takes it out of rotation for a while.
      if (!(err instanceof NotFoundError || err instanceof VersionMismatchError)) this.#o.workerFailed(address);
      this.#o.logger.debug({ err, worker: address, block: ref.key }, 'worker read failed; trying the next source');
      return { ok: false, err };
    }
  }

  async #readBucket(pinned: PinnedVersion, slice: BlockSlice, lastErr: unknown, signal?: AbortSignal): Promise<Buffer> {
    try {
      const buf = await this.#o.ufs.read(pinned.path, slice.fileOffset, slice.length, pinned, signal);
      if (buf.length !== slice.length) {
        throw new ReadFailedError(`short read from the bucket for ${pinned.path}: ${buf.length} of ${slice.length} bytes`, false);
      }
      this.#o.stats.ufs++;
      this.#o.meter.bucketRead();
      this.#o.meter.read('ufs', buf.length);
      return buf;
    } catch (err) {
      this.#o.meter.bucketRead(err);
      const stale = err instanceof VersionMismatchError || err instanceof NotFoundError;
      throw new ReadFailedError(
        stale
          ? `${pinned.path}: pinned version ${pinned.version} is gone from the bucket and no worker has its bytes`
          : `${pinned.path}: no source could serve block ${slice.index} (${err instanceof Error ? err.message : String(err)})`,
        stale, { cause: lastErr ?? err },
      );
    }
  }
}

// What the read path needs from the outside, as interfaces so the wiring (mount-dataset.ts) picks
// the implementations and tests pass small typed fakes: DataChannelClient from @eddy/protocol for
// workers, the master client for block locations, createUfs for buckets.
import type { MasterRpc, proto } from '@eddy/protocol';

export interface ReadBlockOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Told whether the worker serves the read from a tier (`cache`) or reads it through (`ufs`). */
  onSource?: (source: 'cache' | 'ufs') => void;
  /** Read the bytes into this buffer (the result is a view of it); not written once the read settled. */
  into?: Buffer;
}

/** What the read path counts for the mount's metrics and its reports to the master (the dataset's hit ratios). */
export interface ReadMeter {
  /**
   * Each byte a read returns, once, under the source that had it: `local` = a block already held
   * by a worker on this host (read from its file, or streamed when small), `remote` = another worker's tier, `ufs` = the bucket (read directly, read through
   * by a worker, or fetched whole by a local worker for this read). `reads`: how many reads
   * returned them (1 unless a batch is booked at once: the fast read path's).
   */
  read(source: 'local' | 'remote' | 'ufs', bytes: number, reads?: number): void;
  /** A ranged GET the mount sent to the bucket itself; `err` when it failed. */
  bucketRead(err?: unknown): void;
  /** A whole-block FETCH asked of a worker on this host. */
  fetch(ok: boolean): void;
  /** A worker taken out of rotation. */
  workerFailed(): void;
}

/** A worker's block data channel (DataChannelClient in @eddy/protocol). */
export interface DataChannel {
  /** `length` bytes at `offset` inside block `ref`. */
  readBlock(ref: proto.BlockRef, offset: number, length: number, options?: ReadBlockOptions): Promise<Buffer>;
  /** Has the worker cache the whole block (reading it through on a miss); resolves when stored. */
  fetchBlock(ref: proto.BlockRef, options?: ReadBlockOptions): Promise<number>;
  /** The block's file when it lives in a file tier on this host, else null. */
  openLocal(ref: proto.BlockRef): Promise<{ path: string; release(): void | Promise<void> } | null>;
  close(): void | Promise<void>;
}

export type DataChannelFactory = (dataAddress: string) => DataChannel;

/** Where the master says blocks are (the master client's GetBlockLocations). */
export type BlockLocator = Pick<MasterRpc, 'getBlockLocations'>;

/** Locations that came with the directory listing (ListedLocations): the first blocks of a file, if known and recent. */
export interface ListedLocator {
  locate(path: string): Promise<readonly proto.BlockLocation__Output[] | undefined>;
  /** The same when this mount has them recent, without asking the master (undefined otherwise). */
  peek(path: string): readonly proto.BlockLocation__Output[] | undefined;
}

/** The facts of the object version an open handle pinned: every byte served for it belongs to this version. */
export interface PinnedFile {
  dataset: string;
  path: string;
  size: number;
  version: string;
  /** The store's id of the version in a bucket that keeps versions ('' otherwise): it is read by it. */
  versionId: string;
  mtimeMs: number;
  blockSize: number;
}

/** What identifies a version's bytes in the bucket. */
export type PinnedVersionId = Pick<PinnedFile, 'version' | 'versionId'>;

/** Ranged reads from the bucket behind a dataset path (the last-resort source). */
export interface UfsSource {
  /** Bytes of exactly the pinned version: by its versionId when it has one, and always checked against its ETag. */
  read(path: string, offset: number, length: number, pin: PinnedVersionId, signal?: AbortSignal): Promise<Buffer>;
  close(): Promise<void>;
}

/** Where bytes came from, counted per block slice served (for tests, diagnostics and the bench). */
export interface ReadStats {
  /** Read from a block file of a holder on this host (short-circuit). */
  local: number;
  /** Reads libfuse's threads answered in C (read-path/fast-reads.ts), counted under `local` or, with miss bytes, `fetchedLocal`. */
  fastLocal: number;
  /** Small files read whole at their open and handed to libfuse's threads (a memory entry, fast-reads.ts). */
  openReads: number;
  /** Reads libfuse's threads answered from those (the bytes are counted once, under where the open read them). */
  fastMemory: number;
  /** Read from a block file that the local preferred worker fetched for us. */
  fetchedLocal: number;
  /** Streamed from a holder's data channel. */
  worker: number;
  /** Streamed from the preferred worker (which read it through). */
  preferred: number;
  /** Read from the bucket. */
  ufs: number;
  /** Workers taken out of rotation after a failed read or FETCH. */
  workerFailures: number;
  /** Block files a local worker named that the client refused to open (outside its tiers, a symlink, wrong size…). */
  localRefused: number;
  /** Small blocks read whole from a local worker's tier file with no pin (small-block-files.ts); each also counts in `local`. */
  smallLocal: number;
  /** Local block files whose bytes did not match the CRC32C in their name: refused, the block read otherwise. */
  localCorrupt: number;
}

export function newReadStats(): ReadStats {
  return { local: 0, fastLocal: 0, openReads: 0, fastMemory: 0, fetchedLocal: 0, worker: 0, preferred: 0, ufs: 0, workerFailures: 0, localRefused: 0,
    smallLocal: 0, localCorrupt: 0 };
}

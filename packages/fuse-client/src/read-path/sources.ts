// What the read path needs from its sources, as interfaces so the wiring (mount-dataset.ts) picks
// the implementations: DataChannelClient from @eddy/common for workers, createUfs for buckets.
import type { proto } from '@eddy/protocol';

export interface ReadBlockOptions { signal?: AbortSignal; timeoutMs?: number }

/** A worker's block data channel (DataChannelClient in @eddy/common). */
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

/** The object version an open handle pinned: every byte served for it belongs to this version. */
export interface PinnedFile {
  dataset: string;
  path: string;
  size: number;
  version: string;
  mtimeMs: number;
  blockSize: number;
}

/** Ranged reads from the bucket behind a dataset path (the last-resort source). */
export interface UfsSource {
  read(path: string, offset: number, length: number, ifMatch: string, signal?: AbortSignal): Promise<Buffer>;
  close(): Promise<void>;
}

// What the DataLoad controller needs from the rest of the master (namespace cache, worker
// registry, block placement, worker RPC clients, journal). The master server implements this;
// the controller's unit tests implement it in memory. Keeping it narrow is what lets the
// controller be tested without processes and lets the master change its internals freely.
import type { proto } from '@eddy/protocol';

/** One file of the dataset namespace at its current version, as the namespace cache holds it. */
export interface DataLoadFile {
  /** Path inside the dataset namespace, e.g. `/models/a.bin`. */
  path: string;
  /** Size in bytes of the current version. */
  size: number;
  /** Current version (ETag, or size-mtime where the store has none). */
  version: string;
}

/** A live worker of a runtime. */
export interface DataLoadWorker {
  workerId: string;
  /** host:port of the worker's control-plane (gRPC) server. */
  grpcAddress: string;
}

/** A block held by workers whose (path, version) is no longer current in the namespace. */
export interface StaleBlock {
  key: string;
  /** Live workers holding it. */
  workerIds: string[];
}

/**
 * The DataLoad the controller runs: the parsed Fluid manifest from @eddy/common's
 * parseManifests (the controller validates the fields it uses again, at its own edge).
 */
export type { DataLoadManifest } from '@eddy/manifest';

/**
 * Dependencies of the DataLoadController. Synchronous members read the master's in-memory
 * state (namespace cache, registry, placement map) and must be cheap: the controller calls
 * `holders`/`preferredWorkers` once per block.
 */
export interface DataLoadContext {
  /**
   * Re-list the dataset's mounts in the UFS and update the namespace cache (new, changed and
   * deleted objects), as `loadMetadata: true` asks. Rejects if the UFS cannot be listed.
   */
  refresh(dataset: string, options: { signal: AbortSignal }): Promise<void>;

  /**
   * The files at or under `targetPath` in the dataset namespace, from the namespace cache, at
   * their current version. `targetPath` may name a file (one entry) or a directory (every file
   * below it, recursively; `/` = the whole dataset). Rejects with NotFoundError if it is
   * neither, or if the dataset does not exist.
   */
  listFiles(dataset: string, targetPath: string): Promise<DataLoadFile[]>;

  /** Block size in bytes used for the dataset's blocks (the Runtime's setting or the default). */
  blockSize(dataset: string): number;

  /** Name of the Runtime bound to the dataset. Throws NotFoundError if none is. */
  runtimeOf(dataset: string): string;

  /** Workers of `runtime` that are live now (heartbeat within the timeout). */
  liveWorkers(runtime: string): DataLoadWorker[];

  /** Ids of live workers holding block `blockKey` now (from the placement map). */
  holders(blockKey: string): string[];

  /**
   * Up to `n` live workers of `runtime` in consistent-hash order for `blockKey` (the same order
   * the read path uses to pick the worker that reads through), so loads land where readers look.
   */
  preferredWorkers(blockKey: string, runtime: string, n: number): string[];

  /**
   * Ask worker `workerId` to fetch and cache these blocks (Worker.LoadBlocks). Resolves with one
   * result per block (ok, error code/message, bytesFetched: 0 when it was already cached).
   * Rejects (typed EddyError) if the call itself fails, e.g. the worker is unreachable. The
   * implementation should also record successful keys in the placement map right away (as a
   * heartbeat delta would), so `holders` reflects them before the next heartbeat.
   */
  loadBlocks(workerId: string, refs: proto.BlockRef[], options: { signal: AbortSignal }): Promise<proto.BlockResult__Output[]>;

  /**
   * Ask worker `workerId` to drop these blocks (Worker.FreeBlocks); resolves with the number it
   * freed. The implementation should also remove the keys from the placement map.
   */
  freeBlocks(workerId: string, keys: string[], options: { signal: AbortSignal }): Promise<number>;

  /**
   * Blocks of the dataset held by live workers whose (path, version) is no longer current:
   * old versions of changed objects and blocks of deleted objects. Freed at the end of a run so
   * CACHED never counts an old copy.
   */
  staleBlocks(dataset: string): StaleBlock[];

  /** Read a value persisted with journalPut; undefined if none. Keys start with `dataload/`. */
  journalGet(key: string): Promise<unknown>;

  /** Persist a JSON-serialisable value atomically (status and run history of a DataLoad). */
  journalPut(key: string, value: unknown): Promise<void>;

  /** Remove a persisted value (the DataLoad was deleted). */
  journalDelete(key: string): Promise<void>;

  /**
   * Called when `ttlSecondsAfterFinished` of a finished Once DataLoad has elapsed: the master
   * should delete the DataLoad manifest as `eddy delete` would, and call the controller's
   * `onDelete(name)`. If absent, the controller forgets the DataLoad itself (onDelete).
   */
  expire?(name: string): Promise<void>;

  /** Called after each status change of a DataLoad (phase change and progress), e.g. for watches. */
  onProgress?(name: string): void;
}

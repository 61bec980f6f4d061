// What the DataLoad controller needs from the rest of the master, in four small parts: the
// dataset namespace, block placement, worker RPCs and the journal. The master builds one
// (MasterCore, from its parts); the controller's unit tests build one in memory. Keeping it narrow
// is what lets the controller be tested without processes and the master change its internals.
import type { proto } from '@eddy/protocol';

/** One file of the dataset namespace at its current version, as the namespace cache holds it. */
export interface DataLoadFile {
  /** Path inside the dataset namespace, e.g. `/models/a.bin`. */
  path: string;
  /** Size in bytes of the current version. */
  size: number;
  /** Current version (ETag, or size-mtime where the store has none). */
  version: string;
  /** The store's id of the current version in a bucket that keeps versions (absent otherwise). */
  versionId?: string;
}

/** A block held by workers whose (path, version) is no longer current in the namespace. */
export interface StaleBlock {
  key: string;
  /** Live workers holding it. */
  workerIds: string[];
}

/** The dataset namespace, as a DataLoad run reads it. */
export interface DataLoadDatasets {
  /**
   * Re-list the dataset's mounts in the UFS and update the namespace cache (new, changed and
   * deleted objects). Rejects if the UFS cannot be listed; settles early (rejecting) on abort.
   */
  refresh(dataset: string, options: { signal: AbortSignal }): Promise<void>;

  /**
   * The files at or under `targetPath`, from the namespace cache, at their current version:
   * one entry for a file, every file below a directory (`/` = the whole dataset). Rejects with
   * NotFoundError if it is neither, or if the dataset does not exist.
   */
  listFiles(dataset: string, targetPath: string): Promise<DataLoadFile[]>;

  /** The Runtime bound to the dataset and its block size. Throws NotFoundError if none is bound. */
  layout(dataset: string): { runtime: string; blockSize: number };

  /**
   * Blocks of the dataset held by live workers whose (path, version) is no longer current: old
   * versions of changed objects and blocks of deleted objects.
   */
  staleBlocks(dataset: string): StaleBlock[];
}

/** Live workers and who holds which block. Synchronous and cheap: called once per block. */
export interface DataLoadPlacement {
  /** Ids of the workers of `runtime` that are live now (heartbeat within the timeout). */
  liveWorkers(runtime: string): string[];

  /** Ids of live workers holding block `key` now. */
  holders(key: string): string[];

  /**
   * Up to `n` live workers of `runtime` in consistent-hash order for `key` (the order the read
   * path picks the worker that reads through), so loads land where readers look.
   */
  preferredWorkers(key: string, runtime: string, n: number): string[];

  /**
   * Resolves true as soon as `runtime` has a live worker (at once if it has one), false when
   * `timeoutMs` passes or `signal` aborts first. Event-driven: no polling.
   */
  waitForLiveWorker(runtime: string, options: { timeoutMs: number; signal: AbortSignal }): Promise<boolean>;
}

/** Worker RPCs. Both record their outcome in the placement map before resolving. */
export interface DataLoadWorkerRpc {
  /**
   * Worker.LoadBlocks: fetch and cache these blocks. One result per block (ok, error code and
   * message, bytesFetched: 0 when it was already cached). Rejects (typed EddyError) if the call
   * itself fails, e.g. the worker is unreachable.
   */
  loadBlocks(workerId: string, refs: proto.BlockRef[], options: { signal: AbortSignal }): Promise<proto.BlockResult__Output[]>;

  /** Worker.FreeBlocks: drop these blocks; resolves with the number freed. */
  freeBlocks(workerId: string, keys: string[], options: { signal: AbortSignal }): Promise<number>;
}

/** Durable status and run history; keys start with `dataload/`. The master's Journal fits. */
export interface DataLoadJournal {
  get(key: string): unknown;
  /** Persists a JSON-serialisable value atomically. */
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<unknown>;
}

export interface DataLoadContext {
  readonly datasets: DataLoadDatasets;
  readonly placement: DataLoadPlacement;
  readonly workers: DataLoadWorkerRpc;
  readonly journal: DataLoadJournal;
  /**
   * Called when `ttlSecondsAfterFinished` of a finished Once DataLoad has elapsed: the master
   * deletes the manifest as `eddy delete` would (which calls the controller's onDelete). If
   * absent, the controller forgets the DataLoad itself.
   */
  expire?(name: string): Promise<void>;
  /** Called after each status change of a DataLoad (phase change and progress), e.g. for watches. */
  onProgress?(name: string): void;
}

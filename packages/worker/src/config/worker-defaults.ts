// Every default and fixed limit of the worker in one table. `startWorker` resolves its options
// against it once (process/worker-options.ts); components built on their own (tests, benchmarks)
// fall back to the same values. The README's "Options and defaults" table mirrors this one.
import { DEFAULT_BLOCK_SIZE } from '@eddy/core';

const KiB = 1024;
const MiB = 1024 * KiB;

export const WORKER_DEFAULTS = {
  // ---- the master ----
  /** Deadline of a call to the master other than registration and heartbeats (startup, GetMounts). */
  masterTimeoutMs: 10_000,
  /** Deadline of a registration, which carries the full block report. */
  registerTimeoutMs: 15_000,
  /** Deadline of one heartbeat. */
  heartbeatTimeoutMs: 10_000,
  /** Heartbeat interval until the master asks for another one. */
  heartbeatIntervalMs: 3_000,
  /** Cap on the retry delay while the master is unreachable (a restarted master waits for workers only briefly). */
  masterMaxBackoffMs: 2_000,
  /** First retry delay while waiting at startup for the master to hand out the tiers. */
  startupRetryBaseMs: 500,
  /** Cap on that delay. */
  startupRetryMaxMs: 10_000,
  // ---- lifecycle ----
  /** How long close() lets in-flight reads and calls finish. */
  closeGraceMs: 5_000,
  // ---- block store ----
  /** fsync disk-tier block files before the rename (MEM tiers never need it). */
  fsync: true,
  /** Bytes read per step when a MEM-tier block file is checksummed inline. */
  verifyChunkBytes: 1 * MiB,
  /** An inline checksum yields to the event loop after this many bytes. */
  verifyYieldBytes: 4 * MiB,
  // ---- read-through ----
  /** Block size of standalone mounts that do not name one. */
  blockSize: DEFAULT_BLOCK_SIZE,
  /** Largest block size a worker accepts (a block is one file and one fetch). */
  maxBlockSize: 1024 * MiB,
  /** Deadline of one block fetch from the UFS. */
  fetchTimeoutMs: 120_000,
  /** Block fetches from the UFS in flight at once (read-through, FETCH, loads); more wait for a slot. */
  maxConcurrentFetches: 16,
  /** Bytes a fetch that cannot cache its block holds in memory ahead of its slowest reader. */
  fetchWindowBytes: 4 * MiB,
  /** A block is fetched as ranged GETs of this many bytes, each written straight into the block file. */
  fetchPartBytes: 4 * MiB,
  /** Ranged GETs of one block in flight at once (so up to maxConcurrentFetches × this GETs per worker). */
  fetchPartsInFlight: 4,
  /** How long a dataset's mounts are reused before asking the master again. */
  mountTtlMs: 30_000,
  // ---- Worker gRPC service ----
  /** Blocks of one LoadBlocks call fetched at once. */
  loadConcurrency: 4,
  /** Blocks one LoadBlocks call may name. */
  maxBlocksPerLoad: 10_000,
  // ---- data channel server ----
  /** A connection that has not said HELLO within this time is closed. */
  helloTimeoutMs: 10_000,
  /** Data channel connections at once; more are refused (UNAVAILABLE) and closed. */
  maxDataConnections: 1024,
  /** Of those, connections that have not authenticated yet (HELLO); more are refused and closed. */
  maxUnauthenticatedConnections: 64,
  /** Blocks one connection may hold pinned for a local reader (LOCAL without RELEASE); clients keep 64 open. */
  maxPinsPerConnection: 128,
  /** Bytes per DATA frame of a read-through, and per file read of a cached one (1 KiB to 4 MiB). */
  dataFrameBytes: 256 * KiB,
  /** Target size of the DATA frames of cached reads (rounded to whole chunks; clients accept 16 MiB). */
  fileFrameTargetBytes: 8 * MiB,
  /** DATA chunks a read may have written but not yet handed to the kernel. */
  writeWindowChunks: 8,
  /** Requests a client may queue behind the one in progress before it counts as abuse. */
  maxQueuedRequests: 8,
  /** File-read buffers kept for reuse. */
  bufferPoolSize: 64,
  /** How long a rejected peer gets to read the ERROR frame before its connection is destroyed. */
  rejectLingerMs: 1_000,
} as const;

export type WorkerDefaults = typeof WORKER_DEFAULTS;

// mountDataset's options: the documented type, every default in one table (MOUNT_DEFAULTS), and
// the one step that resolves and validates them at the edge (resolveMountOptions). Nothing
// below the edge falls back to a default of its own: it is handed the resolved value.
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parseHostPort, silentLogger, ValidationError, type Logger } from '@eddy/core';
import { ProcessMetrics } from '@eddy/metrics';
import type { RpcSecurity } from '@eddy/protocol';
import type { DataChannelFactory } from './read-path/sources.js';

const MiB = 1 << 20;

/** The shape of the readahead window of a sequential reader that is served from workers or the bucket. */
export interface ReadaheadOptions {
  /** Prefetch unit. */
  chunkBytes: number;
  /** First window once a reader looks sequential (0 with `maxWindowBytes` 0 disables readahead). */
  initialWindowBytes: number;
  /** Largest window per handle; it doubles from `initialWindowBytes` while reads stay sequential. */
  maxWindowBytes: number;
}

/** Every tunable of a mount; each has its default in MOUNT_DEFAULTS (the README's table explains them). */
export interface MountTunables {
  /** Deadline of each mount and unmount step (asking the master for the mounts, the kernel mount, the unmount). */
  timeoutMs: number;
  /** fuse-native's deadline per FUSE operation: a read may fall back through several sources first. */
  fuseOpTimeoutMs: number;
  /** Deadline of a metadata or block-location call to the master. */
  masterTimeoutMs: number;
  /** Deadline of one block read from a worker. */
  workerTimeoutMs: number;
  /** Deadline of a FETCH (a local worker storing a whole block read from the bucket). */
  fetchTimeoutMs: number;
  /** How long a worker that failed (reset, refused, timeout) is skipped by every handle. */
  workerCooldownMs: number;
  /** Readahead window of a streamed sequential reader. */
  readahead: ReadaheadOptions;
  /** Bytes all open files may hold in readahead buffers together. */
  readaheadTotalBytes: number;
  /** Blocks pinned (or fetched by a local worker) ahead of a sequential reader served from local files. */
  pinAheadBlocks: number;
  /** Blocks smaller than this are streamed even to a sequential reader (a FETCH, pin and open cost more than the copy). */
  fetchLocalMinBytes: number;
  /**
   * Blocks shorter than this are streamed in one data-channel READ even from a worker on this host:
   * for them the pin, the file checks and the open of a short-circuit read cost more than the copy.
   */
  shortCircuitMinBytes: number;
  /**
   * Bytes the small files (under shortCircuitMinBytes) read whole at their open may hold together
   * while their handles are open; their reads are then answered in libfuse's threads (0: off).
   */
  openReadBytes: number;
  /** How long a failed FETCH is remembered (the block is streamed meanwhile). */
  fetchFailureMs: number;
  /** FETCHes remembered (by worker and block), and for how long once done. */
  fetchMemoryEntries: number;
  fetchMemoryMs: number;
  /** Pinned local block files kept open at once, shared by all handles. */
  openBlockFiles: number;
  /** An unused pinned block file is released after this long, so the worker may evict it. */
  blockFileIdleMs: number;
  /** How long a worker's "not in a local file" answer is remembered. */
  notLocalMemoryMs: number;
  /** Blocks asked for per GetBlockLocations call. */
  locationBatchBlocks: number;
  /** Block locations remembered mount-wide, for handles opened while the master is unreachable. */
  rememberedLocations: number;
  /** Bound on each user-space metadata cache (attributes, negative entries; listings get 1/100). */
  metadataCacheEntries: number;
  /** Entries per List call to the master. */
  listPageSize: number;
  /**
   * Entries of the directories below a directory being read that its List also brings, each
   * directory whole (0: none, one List per directory): a walk (find, ls -R) then waits on one call.
   */
  listSubtreeEntries: number;
  /** Blocks per file whose locations a directory listing asks for (0: none; every open asks GetBlockLocations). */
  listLocateBlocks: number;
  /** How long locations from a listing serve opens of small files; older ones are asked again for the whole directory. */
  listedLocationsMs: number;
  /** How long statfs reuses the workers' capacity figures. */
  statfsCacheMs: number;
  /** Subdirectories listed ahead when a directory is read, and how many listings run at once for that. */
  prefetchSubdirs: number;
  prefetchSubdirConcurrency: number;
  /** Connections per worker data channel. */
  dataChannelConnections: number;
  /**
   * Directory read-ahead (DirReadAhead): files of a directory read ahead when one of its small files
   * is read cold (0: off), how many run at once mount-wide, the bytes they may hold, the largest file
   * read ahead, and how long unread bytes are kept.
   */
  dirReadAheadFiles: number;
  dirReadAheadConcurrency: number;
  dirReadAheadBytes: number;
  dirReadAheadMaxFileBytes: number;
  dirReadAheadHoldMs: number;
  /** How often the mount reports its bytes read by source to the master (the dataset's hit ratios). */
  readReportIntervalMs: number;
  /** How often the versions this mount has open are re-sent to the master, until it states its lease (a third of it). */
  versionLeaseRenewMs: number;
  /** Wait after a failed HoldVersions call before the next try. */
  versionLeaseRetryMs: number;
  /** Least time between two HoldVersions calls sent for opens and closes (they are batched; 0: one per change). */
  versionLeaseBatchMs: number;
}

export const MOUNT_DEFAULTS: Readonly<MountTunables> = Object.freeze({
  timeoutMs: 30_000,
  fuseOpTimeoutMs: 120_000,
  masterTimeoutMs: 10_000,
  workerTimeoutMs: 15_000,
  fetchTimeoutMs: 60_000,
  workerCooldownMs: 5_000,
  // 4 MiB chunks, 4 → 64 MiB: several 16 MiB blocks in flight, since a worker reading a block
  // through streams it at the speed of one GET.
  readahead: Object.freeze({ chunkBytes: 4 * MiB, initialWindowBytes: 4 * MiB, maxWindowBytes: 64 * MiB }),
  readaheadTotalBytes: 256 * MiB,
  // 4 blocks of 16 MiB match the 64 MiB window of streamed readahead, so a cold read keeps that many GETs going.
  pinAheadBlocks: 4,
  fetchLocalMinBytes: 1 * MiB,
  shortCircuitMinBytes: 1 * MiB,
  // 64 handles of 1 MiB files, or 1024 of 64 KiB ones, open at once.
  openReadBytes: 64 * MiB,
  fetchFailureMs: 5_000,
  fetchMemoryEntries: 4096,
  fetchMemoryMs: 60_000,
  openBlockFiles: 64,
  blockFileIdleMs: 10_000,
  notLocalMemoryMs: 2_000,
  // Enough that a sequential read rarely waits on the master.
  locationBatchBlocks: 64,
  rememberedLocations: 65_536,
  metadataCacheEntries: 100_000,
  listPageSize: 1000,
  // A dataset of a few thousand files arrives in one reply (about 300 bytes an entry with its locations).
  listSubtreeEntries: 4096,
  listLocateBlocks: 1,
  // Long enough for a reader that lists a directory and then reads its files; a holder that lost
  // a block meanwhile answers NOT_FOUND and the block is read through (ListedLocations).
  listedLocationsMs: 30_000,
  statfsCacheMs: 2_000,
  prefetchSubdirs: 256,
  prefetchSubdirConcurrency: 8,
  dataChannelConnections: 8,
  // A directory's worth of small files, 8 GETs at a time beside the readers' own (a worker has 16 fetch slots).
  dirReadAheadFiles: 64,
  dirReadAheadConcurrency: 8,
  dirReadAheadBytes: 64 * MiB,
  dirReadAheadMaxFileBytes: 1 * MiB,
  dirReadAheadHoldMs: 10_000,
  readReportIntervalMs: 1_000,
  versionLeaseRenewMs: 10_000,
  versionLeaseRetryMs: 1_000,
  versionLeaseBatchMs: 100,
});

export interface MountDatasetOptions extends Partial<Omit<MountTunables, 'readahead'>> {
  /** host:port of the master's gRPC endpoint. */
  masterAddress: string;
  dataset: string;
  mountpoint: string;
  /** The client credential (never logged). */
  token: string;
  /**
   * Read the bucket directly when no worker can serve a block (`eddy mount --direct-ufs`): the
   * master then hands this mount the dataset's cloud credentials, which needs a client credential
   * granted `ufs=direct`. Default false: every byte comes through a worker (a miss is read through).
   */
  directUfs?: boolean;
  tls?: RpcSecurity['tls'];
  logger?: Logger;
  /** `-o` overrides on top of the Runtime's fuse args, e.g. ['attr_timeout=5', 'ro'] or ['-oro']. */
  fuseOptions?: string[];
  /** Identity of this host; workers with the same id share our filesystem. Default: os.hostname(). */
  hostId?: string;
  /** Readahead window shape; unset fields keep MOUNT_DEFAULTS.readahead's. */
  readahead?: Partial<ReadaheadOptions>;
  /** Creates the data-channel client of a worker; default: DataChannelClient from @eddy/protocol. */
  dataChannelFactory?: DataChannelFactory;
  /** Aborting it unmounts and releases everything (as close() does); aborted while mounting, the mount fails. */
  signal?: AbortSignal;
  /** The process's metrics (served on --metrics-listen by the caller); default: the mount's own, unserved. */
  metrics?: ProcessMetrics;
  /**
   * Answer reads of pinned local blocks in libfuse's threads, in C (read-path/fast-reads.ts).
   * Default true; false (`eddy mount --no-fast-read`) sends every read to JavaScript, for A/B runs.
   */
  fastRead?: boolean;
  /**
   * Answer getattr of paths whose attributes the mount caches in libfuse's threads, in C (fast-attrs.ts).
   * Default true; false (`eddy mount --no-fast-attr`) sends every getattr to JavaScript, for A/B runs.
   */
  fastAttr?: boolean;
}

/** The options after resolveMountOptions: every tunable set, the mountpoint absolute. */
export interface ResolvedMountOptions extends MountTunables {
  masterAddress: string;
  dataset: string;
  mountpoint: string;
  security: RpcSecurity;
  directUfs: boolean;
  logger: Logger;
  fuseOptions: string[];
  hostId: string;
  dataChannelFactory: DataChannelFactory | undefined;
  signal: AbortSignal | undefined;
  metrics: ProcessMetrics;
  fastRead: boolean;
  fastAttr: boolean;
}

type NumberKey = { [K in keyof MountTunables]: MountTunables[K] extends number ? K : never }[keyof MountTunables];

/** Tunables that may be 0 (the rest must be at least 1). */
const ZERO_ALLOWED = new Set<string>(['pinAheadBlocks', 'fetchLocalMinBytes', 'shortCircuitMinBytes', 'openReadBytes', 'listLocateBlocks', 'listSubtreeEntries', 'listedLocationsMs',
  'versionLeaseBatchMs', 'fetchFailureMs', 'notLocalMemoryMs', 'prefetchSubdirs', 'readaheadTotalBytes', 'initialWindowBytes', 'maxWindowBytes', 'statfsCacheMs',
  'dirReadAheadFiles']);

function checkCount(field: string, value: unknown): number {
  const min = ZERO_ALLOWED.has(field) ? 0 : 1;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ValidationError(`${field} must be an integer of at least ${min}, got ${JSON.stringify(value)}`, field);
  }
  return value;
}

/** Defaults applied and every field checked once; throws a ValidationError naming the first bad field. */
export function resolveMountOptions(o: MountDatasetOptions): ResolvedMountOptions {
  if (typeof o.masterAddress !== 'string') throw new ValidationError('masterAddress must be HOST:PORT', 'masterAddress');
  parseHostPort(o.masterAddress, 'masterAddress');
  if (typeof o.dataset !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(o.dataset)) {
    throw new ValidationError(`dataset must be a lowercase DNS-1123 name, got ${JSON.stringify(o.dataset)}`, 'dataset');
  }
  if (typeof o.mountpoint !== 'string' || o.mountpoint === '') throw new ValidationError('mountpoint is required', 'mountpoint');
  if (typeof o.token !== 'string') throw new ValidationError('token must be a string', 'token');
  if (o.fastRead !== undefined && typeof o.fastRead !== 'boolean') throw new ValidationError('fastRead must be a boolean', 'fastRead');
  if (o.fastAttr !== undefined && typeof o.fastAttr !== 'boolean') throw new ValidationError('fastAttr must be a boolean', 'fastAttr');
  const tunables = { ...MOUNT_DEFAULTS } as MountTunables;
  for (const key of Object.keys(MOUNT_DEFAULTS) as Array<keyof MountTunables>) {
    if (key === 'readahead') continue;
    const value = o[key];
    if (value !== undefined) tunables[key as NumberKey] = checkCount(key, value);
  }
  const readahead = { ...MOUNT_DEFAULTS.readahead, ...o.readahead };
  for (const [k, v] of Object.entries(readahead)) checkCount(k, v);
  if (readahead.initialWindowBytes > readahead.maxWindowBytes) {
    const { initialWindowBytes, maxWindowBytes } = readahead;
    throw new ValidationError(`readahead.initialWindowBytes (${initialWindowBytes}) must not exceed maxWindowBytes (${maxWindowBytes})`,
      'readahead.initialWindowBytes');
  }
  return {
    ...tunables,
    readahead,
    masterAddress: o.masterAddress,
    dataset: o.dataset,
    mountpoint: resolve(o.mountpoint),
    security: { token: o.token, ...(o.tls ? { tls: o.tls } : {}) },
    directUfs: o.directUfs === true,
    logger: (o.logger ?? silentLogger()).child({ component: 'fuse-client', dataset: o.dataset }),
    fuseOptions: overrideArgs(o.fuseOptions ?? []),
    hostId: o.hostId ?? hostname(),
    dataChannelFactory: o.dataChannelFactory,
    signal: o.signal,
    metrics: o.metrics ?? new ProcessMetrics(),
    fastRead: o.fastRead ?? true,
    fastAttr: o.fastAttr ?? true,
  };
}

/** `['attr_timeout=5', '-oro', '-o', 'x']` → the `-o…` argv parseFuseArgs takes. */
function overrideArgs(list: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const s = list[i]!.trim();
    if (s === '-o') {
      out.push(s, list[i + 1] ?? '');
      i++;
    } else out.push(s.startsWith('-o') ? s : `-o${s}`);
  }
  return out;
}

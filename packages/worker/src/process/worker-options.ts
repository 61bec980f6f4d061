// What `startWorker` accepts, and the one step that checks it and fills in every default (from
// WORKER_DEFAULTS) before anything starts: a bad option fails here, naming the option.
import { hostname } from 'node:os';
import { createHash, randomUUID } from 'node:crypto';
import { parseHostPort, silentLogger, ValidationError, type Logger } from '@eddy/core';
import { type UfsAllowlist, type UnderFileSystem } from '@eddy/ufs';
import { ProcessMetrics } from '@eddy/metrics';
import { type RpcSecurity } from '@eddy/protocol';
import { WORKER_DEFAULTS } from '../config/worker-defaults.js';
import { validateTiers, type TierConfig } from '../store/tier-config.js';
import type { ResolvedMount } from '../read-through/mount-resolver.js';

export type UfsFactory = (config: { url: string; options: Record<string, string> }) => UnderFileSystem;

export interface StartWorkerOptions {
  /** host:port of the master; omitted = standalone (mounts from `mounts`). */
  masterAddress?: string;
  runtime: string;
  /** host:port of the Worker gRPC service (port 0 = any free port). */
  listen: string;
  /** host:port of the block data channel; default the gRPC host with a free port. */
  dataListen?: string;
  /** Equal host ids share a filesystem (short-circuit reads). Default: the hostname. */
  hostId?: string;
  /** Stable worker id; default derived from host id, runtime and listen addresses. */
  workerId?: string;
  /** Host put in advertised addresses when listening on a wildcard. Default: the hostname. */
  advertiseHost?: string;
  /** Tiers, fastest first; default: the Runtime's tieredstore from the master. */
  tiers?: TierConfig[];
  /** The worker credential: presented to the master, and accepted from the master and on the data channel. */
  token: string;
  /**
   * Allows an empty token (anyone may read blocks and call the worker): only with every listener on
   * loopback (`eddy worker --insecure`, local tests).
   */
  insecure?: boolean;
  tls?: RpcSecurity['tls'];
  logger?: Logger;
  /**
   * Aborting stops the worker: while it still waits for its master at startup, `startWorker`
   * rejects with AbortedError; afterwards it closes as by `close()`.
   */
  signal?: AbortSignal;
  /** Overrides the master's heartbeat interval. */
  heartbeatIntervalMs?: number;
  /** Deadline of startup calls to the master and of GetMounts. Default 10 s. */
  masterTimeoutMs?: number;
  /** Cap on the retry delay while the master is unreachable. Default 2 s. */
  masterMaxBackoffMs?: number;
  /** Standalone: datasets this worker can read through. */
  mounts?: Record<string, { mounts: ResolvedMount[]; blockSize?: number }>;
  /** Default block size of standalone mounts (refs carry their own block size). Default 16 MiB. */
  blockSize?: number;
  /** fsync disk-tier block files before rename. Default true. */
  fsync?: boolean;
  /** How long close() lets in-flight reads finish. Default 5 s. */
  closeGraceMs?: number;
  /** Blocks of one LoadBlocks call fetched at once. Default 4. */
  loadConcurrency?: number;
  /** Deadline of one block fetch from the UFS. Default 120 s. */
  fetchTimeoutMs?: number;
  /** How long a dataset's mounts are reused. Default 30 s. */
  mountTtlMs?: number;
  /** Data channel: close connections that have not said HELLO within this time. Default 10 s. */
  helloTimeoutMs?: number;
  /** Data channel: bytes per DATA frame / file read, 1 KiB to 4 MiB. Default 256 KiB. */
  dataFrameBytes?: number;
  /** Data channel connections at once. Default 1024. */
  maxDataConnections?: number;
  /** Data channel connections that have not authenticated (HELLO) yet. Default 64. */
  maxUnauthenticatedConnections?: number;
  /** Blocks one data channel connection may hold pinned for a local reader. Default 128. */
  maxPinsPerConnection?: number;
  /** Block fetches from the UFS at once (more wait). Default 16. */
  maxConcurrentFetches?: number;
  /** For tests: builds UFS clients (default createUfs). */
  ufsFactory?: UfsFactory;
  /** Where mounts may point (`--allow-file-root`, `--allow-endpoint`). Undefined: anywhere. */
  ufsAllow?: UfsAllowlist;
  /** The process's metrics (served on --metrics-listen by the caller); default: the worker's own, unserved. */
  metrics?: ProcessMetrics;
}

/** StartWorkerOptions checked, with every default filled in. */
export interface ResolvedWorkerOptions {
  masterAddress: string | undefined;
  runtime: string;
  listen: string;
  listenHost: string;
  dataListen: string;
  dataListenHost: string;
  hostId: string;
  workerId: string;
  advertiseHost: string;
  /** Validated; undefined = from the master's Runtime. */
  tiers: TierConfig[] | undefined;
  security: RpcSecurity;
  logger: Logger;
  signal: AbortSignal | undefined;
  /** undefined = what the master asks for. */
  heartbeatIntervalMs: number | undefined;
  masterTimeoutMs: number;
  masterMaxBackoffMs: number;
  mounts: Record<string, { mounts: ResolvedMount[]; blockSize: number }>;
  fsync: boolean;
  closeGraceMs: number;
  loadConcurrency: number;
  fetchTimeoutMs: number;
  mountTtlMs: number;
  helloTimeoutMs: number;
  dataFrameBytes: number;
  maxDataConnections: number;
  maxUnauthenticatedConnections: number;
  maxPinsPerConnection: number;
  maxConcurrentFetches: number;
  ufsFactory: UfsFactory | undefined;
  ufsAllow: UfsAllowlist | undefined;
  metrics: ProcessMetrics;
}

const RUNTIME_RE = /^[A-Za-z0-9_-]{1,128}$/;

function positiveInt(value: number | undefined, dflt: number, field: string): number {
  if (value === undefined) return dflt;
  if (!Number.isSafeInteger(value) || value <= 0) throw new ValidationError(`${field} must be a positive integer, got ${value}`, field);
  return value;
}

function nonNegativeInt(value: number | undefined, dflt: number, field: string): number {
  if (value === undefined) return dflt;
  if (!Number.isSafeInteger(value) || value < 0) throw new ValidationError(`${field} must be a non-negative integer, got ${value}`, field);
  return value;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** A worker without a token serves anyone: refused unless asked for (`insecure`) and reachable from this host only. */
function requireInsecureLoopback(o: StartWorkerOptions, listenHost: string, dataListenHost: string): void {
  if (!o.insecure) {
    throw new ValidationError('no worker token: pass --token-file FILE (or EDDY_TOKEN_FILE); a worker without one serves anyone, '
      + 'which needs --insecure and loopback listeners', 'token');
  }
  const open = [listenHost, dataListenHost].find((h) => !isLoopback(h));
  if (open !== undefined) throw new ValidationError(`--insecure (no token) needs loopback listeners; ${open} is not loopback`, 'insecure');
}

function bracket(host: string): string { return host.includes(':') ? `[${host}]` : host; }

export function resolveWorkerOptions(o: StartWorkerOptions): ResolvedWorkerOptions {
  if (typeof o.runtime !== 'string' || !RUNTIME_RE.test(o.runtime)) throw new ValidationError('runtime must be a name of letters, digits, - and _', 'runtime');
  const listenHost = parseHostPort(o.listen, 'listen').host;
  const dataListen = o.dataListen ?? `${bracket(listenHost)}:0`;
  const dataListenHost = parseHostPort(dataListen, 'dataListen').host;
  if (o.masterAddress !== undefined) parseHostPort(o.masterAddress, 'masterAddress');
  if (typeof o.token !== 'string') throw new ValidationError('token must be a string', 'token');
  if (!o.token) requireInsecureLoopback(o, listenHost, dataListenHost);
  const dataFrameBytes = positiveInt(o.dataFrameBytes, WORKER_DEFAULTS.dataFrameBytes, 'dataFrameBytes');
  if (dataFrameBytes < 1024 || dataFrameBytes > 4 * 1024 * 1024) {
    throw new ValidationError(`dataFrameBytes must be an integer in [1 KiB, 4 MiB], got ${dataFrameBytes}`, 'dataFrameBytes');
  }
  const blockSize = positiveInt(o.blockSize, WORKER_DEFAULTS.blockSize, 'blockSize');
  const hostId = o.hostId ?? hostname();
  // Stable across restarts with fixed ports (the master then sees a restart, not a new worker).
  const anyPort = /:0$/.test(o.listen) || /:0$/.test(dataListen);
  const idSeed = `${hostId}/${o.runtime}/${o.listen}/${dataListen}${anyPort ? `/${randomUUID()}` : ''}`;
  return {
    masterAddress: o.masterAddress,
    metrics: o.metrics ?? new ProcessMetrics(),
    runtime: o.runtime,
    listen: o.listen,
    listenHost,
    dataListen,
    dataListenHost,
    hostId,
    workerId: o.workerId ?? `${hostId}-${o.runtime}-${createHash('sha256').update(idSeed).digest('hex').slice(0, 8)}`,
    advertiseHost: o.advertiseHost ?? hostname(),
    tiers: o.tiers ? validateTiers(o.tiers) : undefined,
    security: { token: o.token, ...(o.tls ? { tls: o.tls } : {}) },
    logger: o.logger ?? silentLogger(),
    signal: o.signal,
    heartbeatIntervalMs: o.heartbeatIntervalMs === undefined ? undefined : positiveInt(o.heartbeatIntervalMs, 0, 'heartbeatIntervalMs'),
    masterTimeoutMs: positiveInt(o.masterTimeoutMs, WORKER_DEFAULTS.masterTimeoutMs, 'masterTimeoutMs'),
    masterMaxBackoffMs: positiveInt(o.masterMaxBackoffMs, WORKER_DEFAULTS.masterMaxBackoffMs, 'masterMaxBackoffMs'),
    mounts: Object.fromEntries(Object.entries(o.mounts ?? {}).map(([k, v]) => [k, { mounts: v.mounts, blockSize: v.blockSize ?? blockSize }])),
    fsync: o.fsync ?? WORKER_DEFAULTS.fsync,
    closeGraceMs: nonNegativeInt(o.closeGraceMs, WORKER_DEFAULTS.closeGraceMs, 'closeGraceMs'),
    loadConcurrency: positiveInt(o.loadConcurrency, WORKER_DEFAULTS.loadConcurrency, 'loadConcurrency'),
    fetchTimeoutMs: positiveInt(o.fetchTimeoutMs, WORKER_DEFAULTS.fetchTimeoutMs, 'fetchTimeoutMs'),
    mountTtlMs: nonNegativeInt(o.mountTtlMs, WORKER_DEFAULTS.mountTtlMs, 'mountTtlMs'),
    helloTimeoutMs: positiveInt(o.helloTimeoutMs, WORKER_DEFAULTS.helloTimeoutMs, 'helloTimeoutMs'),
    dataFrameBytes,
    maxDataConnections: positiveInt(o.maxDataConnections, WORKER_DEFAULTS.maxDataConnections, 'maxDataConnections'),
    maxUnauthenticatedConnections: positiveInt(o.maxUnauthenticatedConnections, WORKER_DEFAULTS.maxUnauthenticatedConnections,
      'maxUnauthenticatedConnections'),
    maxPinsPerConnection: positiveInt(o.maxPinsPerConnection, WORKER_DEFAULTS.maxPinsPerConnection, 'maxPinsPerConnection'),
    maxConcurrentFetches: positiveInt(o.maxConcurrentFetches, WORKER_DEFAULTS.maxConcurrentFetches, 'maxConcurrentFetches'),
    ufsFactory: o.ufsFactory,
    ufsAllow: o.ufsAllow,
  };
}

// What startMaster accepts, every default in one table (MASTER_DEFAULTS), and the one step that
// resolves and validates them at the edge. Everything behind startMaster takes the resolved form
// and never defaults again. The README documents the table.
import type { Logger } from 'pino';
import { parseHostPort, ValidationError } from '@eddy/core';
import { ProcessMetrics } from '@eddy/metrics';
import type { RoleCredentials, RpcSecurity } from '@eddy/protocol';
import type { UfsAllowlist } from '@eddy/ufs';
import { MasterCredentials } from './auth/master-credentials.js';
import type { UfsFactory } from './namespace/dataset-namespace.js';

export interface MasterOptions {
  /** host:port to serve on; port 0 picks a free one. */
  listen?: string;
  /** Directory for the journal (created 0700). */
  dataDir: string;
  /**
   * Credentials by role (`--admin-token-file`, `--worker-token-file`, `--client-token-file`): every
   * call must carry one, and the role table (@eddy/protocol rpc-roles.ts) says what each may do.
   */
  credentials?: RoleCredentials;
  /**
   * Deprecated: one token that holds every role (the old `--token-file`). Empty or unset, with no
   * `credentials` either, the master accepts every call as admin (local tests only).
   */
  token?: string;
  tls?: RpcSecurity['tls'];
  logger: Logger;
  /** Aborting it closes the master (as close() does); aborted before start, startMaster rejects. */
  signal?: AbortSignal;
  /** Interval workers are told to heartbeat at. */
  heartbeatIntervalMs?: number;
  /** A worker silent this long is lost; must be larger than heartbeatIntervalMs. */
  workerTimeoutMs?: number;
  /** Re-list every dataset on this interval; 0 = only on demand. */
  namespaceRefreshIntervalMs?: number;
  /** How long Apply waits for a new dataset's first listing before answering. */
  applyListingWaitMs?: number;
  /** Deadline of one full listing of a dataset. */
  listingTimeoutMs?: number;
  /** Mounts of one dataset listed at once. */
  listConcurrency?: number;
  /** Minimum time between two on-demand refreshes (unknown path) of one dataset. */
  onDemandRefreshMinIntervalMs?: number;
  /** How long a path that is not found is remembered as missing. */
  negativeCacheTtlMs?: number;
  /** Deadline of one LoadBlocks call to a worker (a batch of large blocks). */
  loadBlocksTimeoutMs?: number;
  /** Deadline of one FreeBlocks call to a worker. */
  freeBlocksTimeoutMs?: number;
  /** LoadBlocks calls in flight across all workers, per DataLoad run. */
  dataLoadConcurrency?: number;
  /** LoadBlocks calls in flight to one worker, per DataLoad run. */
  dataLoadPerWorkerConcurrency?: number;
  /** Blocks per LoadBlocks call. */
  dataLoadBatchBlocks?: number;
  /** Minimum interval between DataLoad status writes to the journal during a run. */
  dataLoadProgressPersistMs?: number;
  /** Journal records between two compactions into a snapshot. */
  journalCompactAfterRecords?: number;
  /** On close, how long in-flight calls may finish before the server cuts them. */
  shutdownGraceMs?: number;
  /** How long a mount's HoldVersions set lasts without a renewal (a dead mount's holds end then). */
  versionLeaseMs?: number;
  /**
   * Upper bound on how long blocks of a replaced version that no mount holds are kept (the grace
   * for mounts with stale metadata: twice the Runtime's attr/entry timeout plus 10 s, at most this).
   */
  maxReplacedVersionGraceMs?: number;
  /** UFS driver factory (tests inject synthetic listings); default @eddy/ufs's createUfs. */
  createUfs?: UfsFactory;
  /**
   * Where Dataset mounts may point (`--allow-file-root`, `--allow-endpoint`): checked when a
   * Dataset is applied and when its driver is built. Undefined: anywhere.
   */
  ufsAllow?: UfsAllowlist;
  /** HOST:PORT of the live status page (`--http-listen`); unset = no page. Off loopback it needs the token. */
  httpListen?: string;
  /** Window of Dataset status' hit ratios (Fluid's "last minute"). */
  hitRatioWindowMs?: number;
  /** Window of Dataset status' throughput ratios. */
  throughputWindowMs?: number;
  /** The process's metrics (served on --metrics-listen by the caller); default: the master's own, unserved. */
  metrics?: ProcessMetrics;
}

/** The options that have a default: all but identity, security, logger, signal and test hooks. */
type Tunables = Required<Omit<MasterOptions,
  'dataDir' | 'credentials' | 'token' | 'tls' | 'logger' | 'signal' | 'createUfs' | 'ufsAllow' | 'httpListen' | 'metrics'>>;

/** Every default of the master, in one place. */
export const MASTER_DEFAULTS: Readonly<Tunables> = Object.freeze({
  listen: '127.0.0.1:19998',
  heartbeatIntervalMs: 1000,
  workerTimeoutMs: 10_000,
  namespaceRefreshIntervalMs: 0,
  applyListingWaitMs: 3000,
  listingTimeoutMs: 600_000,
  listConcurrency: 4,
  onDemandRefreshMinIntervalMs: 2000,
  negativeCacheTtlMs: 5000,
  loadBlocksTimeoutMs: 600_000,
  freeBlocksTimeoutMs: 60_000,
  // A worker fetches the blocks of one call 4 at once (its loadConcurrency) and answers when the
  // last is in: batches of 4 leave no call waiting on its own tail, and 3 calls per worker keep 12
  // blocks in flight there (each as parallel ranged GETs), below its 16 fetch slots, so reads
  // that miss during a load still find a slot. The cap across workers lets 5 workers run at that.
  dataLoadConcurrency: 16,
  dataLoadPerWorkerConcurrency: 3,
  dataLoadBatchBlocks: 4,
  dataLoadProgressPersistMs: 1000,
  journalCompactAfterRecords: 2000,
  shutdownGraceMs: 2000,
  hitRatioWindowMs: 60_000,
  throughputWindowMs: 10_000,
  versionLeaseMs: 30_000,
  maxReplacedVersionGraceMs: 600_000,
});

/** The options with every default applied and checked; what MasterCore and its parts take. */
export interface ResolvedMasterOptions extends Tunables {
  dataDir: string;
  logger: Logger;
  signal: AbortSignal | undefined;
  /** TLS of the server and of calls to workers; `token` is the first admin token (status page), '' if none. */
  security: RpcSecurity;
  /** Who may call (the credentials by role, as digests), and the worker tokens presented to workers; replaceable. */
  credentials: MasterCredentials;
  createUfs: UfsFactory | undefined;
  ufsAllow: UfsAllowlist | undefined;
  httpListen: string | undefined;
  metrics: ProcessMetrics;
  /** How often silent workers are looked for: timeout/4, between 50 ms and 1 s. */
  sweepIntervalMs: number;
  /**
   * For this long after start, a DataLoad run that finds no live workers waits for one: a
   * restarted master knows none until they re-register, within a heartbeat. A timeout's worth.
   */
  startupWorkerWaitMs: number;
}

function positiveMs(value: number | undefined, fallback: number, field: string): number {
  const n = value ?? fallback;
  if (!Number.isFinite(n) || n <= 0) throw new ValidationError(`${field} must be a positive number of milliseconds, got ${n}`, field);
  return n;
}

function nonNegativeMs(value: number | undefined, fallback: number, field: string): number {
  const n = value ?? fallback;
  if (!Number.isFinite(n) || n < 0) throw new ValidationError(`${field} must be a non-negative number of milliseconds, got ${n}`, field);
  return n;
}

function positiveInt(value: number | undefined, fallback: number, field: string): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < 1) throw new ValidationError(`${field} must be a positive integer, got ${n}`, field);
  return n;
}

/** Applies MASTER_DEFAULTS and validates; throws ValidationError naming the option. */
export function resolveMasterOptions(o: MasterOptions): ResolvedMasterOptions {
  const D = MASTER_DEFAULTS;
  const num = (k: Exclude<keyof Tunables, 'listen'>, check: typeof positiveMs): number => check(o[k], D[k], k);
  const listen = o.listen ?? D.listen;
  parseHostPort(listen, 'listen');
  if (!o.dataDir) throw new ValidationError('dataDir is required', 'dataDir');
  const heartbeatIntervalMs = num('heartbeatIntervalMs', positiveMs);
  const workerTimeoutMs = num('workerTimeoutMs', positiveMs);
  if (workerTimeoutMs <= heartbeatIntervalMs) {
    const message = `workerTimeoutMs (${workerTimeoutMs}) must be larger than heartbeatIntervalMs (${heartbeatIntervalMs})`;
    throw new ValidationError(message, 'workerTimeoutMs');
  }
  if (o.httpListen !== undefined) parseHostPort(o.httpListen, 'httpListen');
  const credentials = new MasterCredentials(o);
  return {
    listen,
    httpListen: o.httpListen,
    metrics: o.metrics ?? new ProcessMetrics(),
    dataDir: o.dataDir,
    logger: o.logger,
    signal: o.signal,
    security: { token: credentials.adminToken, ...(o.tls ? { tls: o.tls } : {}) },
    credentials,
    createUfs: o.createUfs,
    ufsAllow: o.ufsAllow,
    heartbeatIntervalMs,
    workerTimeoutMs,
    namespaceRefreshIntervalMs: num('namespaceRefreshIntervalMs', nonNegativeMs),
    applyListingWaitMs: num('applyListingWaitMs', nonNegativeMs),
    listingTimeoutMs: num('listingTimeoutMs', positiveMs),
    listConcurrency: num('listConcurrency', positiveInt),
    onDemandRefreshMinIntervalMs: num('onDemandRefreshMinIntervalMs', nonNegativeMs),
    negativeCacheTtlMs: num('negativeCacheTtlMs', positiveMs),
    loadBlocksTimeoutMs: num('loadBlocksTimeoutMs', positiveMs),
    freeBlocksTimeoutMs: num('freeBlocksTimeoutMs', positiveMs),
    dataLoadConcurrency: num('dataLoadConcurrency', positiveInt),
    dataLoadPerWorkerConcurrency: num('dataLoadPerWorkerConcurrency', positiveInt),
    dataLoadBatchBlocks: num('dataLoadBatchBlocks', positiveInt),
    dataLoadProgressPersistMs: num('dataLoadProgressPersistMs', nonNegativeMs),
    journalCompactAfterRecords: num('journalCompactAfterRecords', positiveInt),
    shutdownGraceMs: num('shutdownGraceMs', nonNegativeMs),
    hitRatioWindowMs: num('hitRatioWindowMs', positiveMs),
    throughputWindowMs: num('throughputWindowMs', positiveMs),
    versionLeaseMs: num('versionLeaseMs', positiveMs),
    maxReplacedVersionGraceMs: num('maxReplacedVersionGraceMs', nonNegativeMs),
    sweepIntervalMs: Math.max(50, Math.min(1000, Math.floor(workerTimeoutMs / 4))),
    startupWorkerWaitMs: workerTimeoutMs,
  };
}

// A whole worker process in one call: block store, read-through, data channel server, the Worker
// gRPC service and (with a master) registration + heartbeats. The CLI's `eddy worker` and
// `eddy up` call this; tests run it standalone with static mounts.
import { AbortedError, EddyError, type Logger, PermissionDeniedError, retryWithBackoff, UnauthenticatedError, UnavailableError, ValidationError } from '@eddy/core';
import {
  Authenticator, bindServer, createMasterClient, createRpcServer, loadEddyProto, warmMessageCodecs, WORKER_RPC_ROLES, wrapService, type MasterRpc, type proto,
} from '@eddy/protocol';
import { WORKER_DEFAULTS } from '../config/worker-defaults.js';
import { BlockStore } from '../store/block-store.js';
import type { TierConfig } from '../store/tier-config.js';
import { MasterMountResolver, StaticMountResolver, type MountResolver } from '../read-through/mount-resolver.js';
import { UfsLocator } from '../read-through/ufs-locator.js';
import { ReadThrough } from '../read-through/read-through.js';
import { BlockService } from '../blocks/block-service.js';
import { DataServer } from '../data-server/data-server.js';
import { createWorkerService } from '../rpc/worker-service.js';
import { MasterLink } from '../master-link/master-link.js';
import { runtimeConfigFromSpec } from './runtime-config.js';
import { resolveWorkerOptions, type ResolvedWorkerOptions, type StartWorkerOptions } from './worker-options.js';

export interface WorkerHandle {
  readonly workerId: string;
  readonly hostId: string;
  /** Advertised host:port of the Worker gRPC service. */
  readonly grpcAddress: string;
  /** Advertised host:port of the data channel. */
  readonly dataAddress: string;
  readonly store: BlockStore;
  readonly blocks: BlockService;
  readonly masterLink: MasterLink | undefined;
  /** Lets in-flight reads finish (bounded), stops serving and releases everything. Idempotent. */
  close(): Promise<void>;
}

type Cleanup = () => Promise<void> | void;

function advertise(host: string, port: number, fallback: string): string {
  const h = host === '0.0.0.0' || host === '::' || host === '' ? fallback : host;
  return h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`;
}

/**
 * The credentials the worker accepts: its own token (the master's calls, other workers) and what
 * the master hands it for the data channel (digests of admin and client credentials).
 */
function workerAuthenticator(token: string): Authenticator {
  return Authenticator.fromCredentials({ worker: token ? [{ token }] : [] });
}

/** Takes the data-channel verifiers of a register or heartbeat answer. */
function learnVerifiers(auth: Authenticator, verifiers: readonly proto.CredentialVerifier__Output[] | undefined): void {
  if (!verifiers) return;
  auth.learn(verifiers.flatMap((v) => (v.role === 'admin' || v.role === 'client'
    ? [{ sha256: Buffer.from(v.sha256), role: v.role, datasets: v.scoped ? v.datasets : undefined, directUfs: false }]
    : [])));
}

/** Asks the master for the Runtime (tiers) before the store exists; retries until it answers or `signal` aborts. */
async function tiersFromMaster(master: MasterRpc, o: ResolvedWorkerOptions, auth: Authenticator, signal: AbortSignal): Promise<TierConfig[]> {
  const { workerId, hostId, runtime } = o;
  const rc = await retryWithBackoff(async () => {
    const res = await master.registerWorker({
      workerId, runtime, address: { workerId, hostId, grpcAddress: '', dataAddress: '' }, tiers: [], blockKeys: [],
    }, { signal, timeoutMs: o.masterTimeoutMs });
    learnVerifiers(auth, res.verifiers);
    const parsed = runtimeConfigFromSpec(res.runtime);
    if (!parsed || parsed.tiers.length === 0) {
      throw new ValidationError(`the master has no tiered store for runtime ${runtime}; apply the Runtime or pass --tier`, 'tiers');
    }
    return parsed;
  }, {
    attempts: Infinity,
    baseDelayMs: WORKER_DEFAULTS.startupRetryBaseMs,
    maxDelayMs: WORKER_DEFAULTS.startupRetryMaxMs,
    // A refused credential (wrong token, or one without the worker role) never becomes valid by
    // waiting: the start fails and says so, as a missing Runtime does, rather than retrying forever.
    isRetryable: (err) => !(err instanceof ValidationError || err instanceof UnauthenticatedError || err instanceof PermissionDeniedError),
    signal,
    onRetry: (err, attempt) => {
      if (attempt === 1 || attempt % 10 === 0) o.logger.warn({ attempt, err }, 'waiting for the master to learn the tiers');
    },
  });
  return rc.tiers;
}

/** Starts the Worker gRPC service; the cleanup shuts it down (forced after the grace period). */
async function startRpc(o: ResolvedWorkerOptions, service: BlockService, auth: Authenticator, logger: Logger): Promise<{ port: number; stop: Cleanup }> {
  const rpc = createRpcServer();
  const { worker } = loadEddyProto();
  const handlers = createWorkerService(service, { loadConcurrency: o.loadConcurrency });
  // The data channel's authenticator: the master (worker credential) and admins pass, clients are refused by the table.
  const guard = { authenticator: auth, roles: WORKER_RPC_ROLES };
  rpc.addService(worker.eddy.v1.Worker.service, wrapService(handlers, guard, logger.child({ component: 'rpc' })));
  const stop = (): Promise<void> => new Promise<void>((resolve) => {
    const t = setTimeout(() => { rpc.forceShutdown(); resolve(); }, o.closeGraceMs);
    rpc.tryShutdown(() => { clearTimeout(t); resolve(); });
  });
  try {
    return { port: await bindServer(rpc, o.listen, o.security), stop };
  } catch (err) {
    rpc.forceShutdown();
    throw err;
  }
}

/** Everything after the tiers are known; pushes a cleanup for each part it starts. */
async function startParts(
  o: ResolvedWorkerOptions, tiers: TierConfig[], auth: Authenticator, cleanups: Cleanup[],
): Promise<Omit<WorkerHandle, 'close'>> {
  const { logger, security, masterAddress } = o;
  const metrics = o.metrics.worker;
  const store = await BlockStore.open({
    runtime: o.runtime, tiers, fsync: o.fsync, logger: logger.child({ component: 'store' }),
    onEvict: (e) => metrics.evicted(o.runtime, e.fromTier, tiers[e.fromTier]?.medium ?? '', e.toTier === null ? 'drop' : 'demote'),
  });
  cleanups.push(() => store.close());
  cleanups.push(metrics.addTierSource(o.runtime, () => store.tierUsage()));
  const resolver: MountResolver = masterAddress
    ? new MasterMountResolver(() => createMasterClient(masterAddress, security), { timeoutMs: o.masterTimeoutMs })
    : new StaticMountResolver(o.mounts);
  if (resolver instanceof MasterMountResolver) cleanups.push(() => resolver.close());
  const locator = new UfsLocator({ resolver, logger, mountTtlMs: o.mountTtlMs, ...(o.ufsFactory ? { ufsFactory: o.ufsFactory } : {}),
    ...(o.ufsAllow ? { allow: o.ufsAllow } : {}) });
  cleanups.push(() => locator.close());
  // onFetched runs only after a fetch, long after `blocks` exists.
  const readThrough = new ReadThrough({
    store, locator, fetchTimeoutMs: o.fetchTimeoutMs, maxConcurrentFetches: o.maxConcurrentFetches, logger: logger.child({ component: 'read-through' }),
    onFetched: (n) => { blocks.counters.ufsBytesRead += n; },
    onUfsRequest: (dataset, bytes, err) => { if (err === undefined) metrics.ufsRead(dataset, bytes); else metrics.ufsError(dataset, err); },
    onBlockFetched: (dataset, reason, ok) => metrics.blockFetch(dataset, reason, ok),
  });
  cleanups.push(() => readThrough.close());
  const blocks = new BlockService(store, readThrough, metrics);

  const dataServer = await DataServer.start({
    listen: o.dataListen, security, authenticator: auth, blocks, hostId: o.hostId, helloTimeoutMs: o.helloTimeoutMs, dataFrameBytes: o.dataFrameBytes,
    maxConnections: o.maxDataConnections, maxUnauthenticated: o.maxUnauthenticatedConnections, maxPinsPerConnection: o.maxPinsPerConnection,
    logger: logger.child({ component: 'data-server' }),
  });
  cleanups.push(() => dataServer.close(o.closeGraceMs));
  const rpc = await startRpc(o, blocks, auth, logger);
  cleanups.push(rpc.stop);

  const grpcAddress = advertise(o.listenHost, rpc.port, o.advertiseHost);
  const dataAddress = advertise(o.dataListenHost, dataServer.port, o.advertiseHost);
  let masterLink: MasterLink | undefined;
  if (masterAddress) {
    const link = new MasterLink({
      connect: () => createMasterClient(masterAddress, security),
      workerId: o.workerId, runtime: o.runtime, address: { workerId: o.workerId, hostId: o.hostId, grpcAddress, dataAddress },
      blocks, logger: logger.child({ component: 'master-link' }), maxBackoffMs: o.masterMaxBackoffMs,
      onHeartbeat: () => metrics.heartbeatAnswered(o.runtime),
      onVerifiers: (v) => learnVerifiers(auth, v),
      ...(o.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: o.heartbeatIntervalMs } : {}),
    });
    cleanups.push(() => link.close());
    link.start();
    masterLink = link;
  }
  return { workerId: o.workerId, hostId: o.hostId, grpcAddress, dataAddress, store, blocks, masterLink };
}

export async function startWorker(options: StartWorkerOptions): Promise<WorkerHandle> {
  const o = resolveWorkerOptions(options);
  const { logger } = o;
  if (o.signal?.aborted) throw new AbortedError('worker start aborted');
  const cleanups: Cleanup[] = [];
  const cleanup = async (): Promise<void> => { for (const c of cleanups.splice(0).reverse()) await c(); };
  // Aborted by the caller's signal: ends a wait for the master at startup, or closes the worker.
  const lifetime = new AbortController();
  const onAbort = (): void => lifetime.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  cleanups.push(() => o.signal?.removeEventListener('abort', onAbort));
  const master = o.masterAddress ? createMasterClient(o.masterAddress, o.security) : undefined;
  const auth = workerAuthenticator(o.security.token);
  if (master) cleanups.push(() => master.close());
  let parts: Omit<WorkerHandle, 'close'>;
  let tiers: TierConfig[];
  try {
    if (o.tiers) tiers = o.tiers;
    else if (master) tiers = await tiersFromMaster(master, o, auth, lifetime.signal);
    else throw new ValidationError('tiers are required without a master (e.g. --tier MEM:/dev/shm:1Gi)', 'tiers');
    parts = await startParts(o, tiers, auth, cleanups);
    if (lifetime.signal.aborted) throw new AbortedError('worker start aborted');
  } catch (err) {
    lifetime.abort();
    await cleanup();
    if (o.signal?.aborted) throw new AbortedError('worker start aborted', { cause: err });
    // Typed errors pass; anything else (a tier directory that cannot be created, …) becomes one.
    if (err instanceof EddyError) throw err;
    throw new UnavailableError(`worker failed to start: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  logger.info({
    workerId: o.workerId, grpcAddress: parts.grpcAddress, dataAddress: parts.dataAddress, hostId: o.hostId,
    tiers: tiers.map((t) => `${t.medium}:${t.path}`), blocks: parts.store.blockCount, master: o.masterAddress ?? null,
  }, 'worker started');
  // The codecs built now, not by the first requests (warm-codecs.ts); stopped by close().
  void warmMessageCodecs('Worker', { signal: lifetime.signal }).catch((err: unknown) => logger.warn({ err }, 'warming the message codecs failed'));

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      logger.info({ workerId: o.workerId }, 'worker stopping');
      lifetime.abort();
      await cleanup();
      logger.info({ workerId: o.workerId }, 'worker stopped');
    })();
    return closing;
  };
  lifetime.signal.addEventListener('abort', () => void close(), { once: true });
  return { ...parts, close };
}

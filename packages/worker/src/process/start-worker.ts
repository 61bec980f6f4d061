// A whole worker process in one call: block store, read-through, data channel server, the Worker
// gRPC service and (with a master) registration + heartbeats. The CLI's `eddy worker` and
// `eddy up` call this; tests run it standalone with static mounts.
import { hostname } from 'node:os';
import { createHash, randomUUID } from 'node:crypto';
import { bindServer, createMasterClient, createRpcServer, loadEddyProto, wrapService, type MasterRpc, type RpcSecurity } from '@eddy/protocol';
import { parseHostPort, silentLogger, ValidationError, UnavailableError, DEFAULT_BLOCK_SIZE, type Logger } from '@eddy/core';
import { type UnderFileSystem } from '@eddy/ufs';
import { BlockStore } from '../store/block-store.js';
import { validateTiers, type TierConfig } from '../store/tier-config.js';
import { MasterMountResolver, StaticMountResolver, type MountResolver, type ResolvedMount } from '../read-through/mount-resolver.js';
import { UfsLocator } from '../read-through/ufs-locator.js';
import { ReadThrough } from '../read-through/read-through.js';
import { BlockService } from '../blocks/block-service.js';
import { DataServer } from '../data-server/data-server.js';
import { createWorkerService } from '../rpc/worker-service.js';
import { MasterLink } from '../master-link/master-link.js';
import { runtimeConfigFromSpec } from './runtime-config.js';

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
  token: string;
  tls?: RpcSecurity['tls'];
  logger?: Logger;
  /** Overrides the master's heartbeat interval. */
  heartbeatIntervalMs?: number;
  /** Standalone: datasets this worker can read through. */
  mounts?: Record<string, { mounts: ResolvedMount[]; blockSize?: number }>;
  /** Default block size of standalone mounts (refs carry their own block size). */
  blockSize?: number;
  /** fsync disk-tier block files before rename. Default true. */
  fsync?: boolean;
  /** How long close() lets in-flight reads finish. Default 5 s. */
  closeGraceMs?: number;
  /** For tests: builds UFS clients (default createUfs). */
  ufsFactory?: (config: { url: string; options: Record<string, string> }) => UnderFileSystem;
}

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

function advertise(host: string, port: number, fallback: string): string {
  const h = host === '0.0.0.0' || host === '::' || host === '' ? fallback : host;
  return h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`;
}

/** Asks the master for the Runtime (tiers) before the store exists; retries until it answers. */
async function tiersFromMaster(master: MasterRpc, options: StartWorkerOptions, workerId: string, hostId: string, logger: Logger, signal: AbortSignal): Promise<TierConfig[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await master.registerWorker({
        workerId, runtime: options.runtime, address: { workerId, hostId, grpcAddress: '', dataAddress: '' }, tiers: [], blockKeys: [],
      }, { signal, timeoutMs: 10_000 });
      const rc = runtimeConfigFromSpec(res.runtime);
      if (!rc || rc.tiers.length === 0) throw new ValidationError(`the master has no tiered store for runtime ${options.runtime}; apply the Runtime or pass --tier`, 'tiers');
      return rc.tiers;
    } catch (err) {
      if (err instanceof ValidationError || signal.aborted) throw err;
      if (attempt === 1 || attempt % 10 === 0) logger.warn({ attempt, err: (err as Error).message }, 'waiting for the master to learn the tiers');
      await new Promise((r) => setTimeout(r, Math.min(10_000, 250 * 2 ** Math.min(attempt, 6))));
    }
  }
}

export async function startWorker(options: StartWorkerOptions): Promise<WorkerHandle> {
  const logger = options.logger ?? silentLogger();
  if (typeof options.runtime !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(options.runtime)) throw new ValidationError('runtime must be a name of letters, digits, - and _', 'runtime');
  const grpcListen = parseHostPort(options.listen, 'listen');
  const dataListen = options.dataListen ?? `${grpcListen.host.includes(':') ? `[${grpcListen.host}]` : grpcListen.host}:0`;
  parseHostPort(dataListen, 'dataListen');
  if (options.masterAddress !== undefined) parseHostPort(options.masterAddress, 'masterAddress');
  if (typeof options.token !== 'string') throw new ValidationError('token must be a string', 'token');
  const hostId = options.hostId ?? hostname();
  const security: RpcSecurity = { token: options.token, ...(options.tls ? { tls: options.tls } : {}) };
  const master = options.masterAddress ? createMasterClient(options.masterAddress, security) : undefined;
  // Stable across restarts with fixed ports (the master then sees a restart, not a new worker).
  const anyPort = /:0$/.test(options.listen) || /:0$/.test(dataListen);
  const idSeed = `${hostId}/${options.runtime}/${options.listen}/${dataListen}${anyPort ? `/${randomUUID()}` : ''}`;
  const workerId = options.workerId ?? `${hostId}-${options.runtime}-${createHash('sha256').update(idSeed).digest('hex').slice(0, 8)}`;

  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanup = async (): Promise<void> => { for (const c of cleanups.splice(0).reverse()) await c(); };
  if (master) cleanups.push(() => master.close());
  const startAbort = new AbortController();
  try {
    let tiers: TierConfig[];
    if (options.tiers) tiers = validateTiers(options.tiers);
    else if (master) tiers = validateTiers(await tiersFromMaster(master, options, workerId, hostId, logger, startAbort.signal), 'runtime.tieredstore.levels');
    else throw new ValidationError('tiers are required without a master (e.g. --tier MEM:/dev/shm:1Gi)', 'tiers');

    const store = await BlockStore.open({ runtime: options.runtime, tiers, logger: logger.child({ component: 'store' }), ...(options.fsync !== undefined ? { fsync: options.fsync } : {}) });
    cleanups.push(() => store.close());
    const resolver: MountResolver = master
      ? new MasterMountResolver(() => createMasterClient(options.masterAddress!, security))
      : new StaticMountResolver(Object.fromEntries(Object.entries(options.mounts ?? {}).map(([k, v]) => [k, { mounts: v.mounts, blockSize: v.blockSize ?? options.blockSize ?? DEFAULT_BLOCK_SIZE }])));
    if (resolver instanceof MasterMountResolver) cleanups.push(() => resolver.close());
    const locator = new UfsLocator({ resolver, logger, ...(options.ufsFactory ? { ufsFactory: options.ufsFactory } : {}) });
    cleanups.push(() => locator.close());
    // onFetched runs only after a fetch, long after `service` exists.
    const readThrough = new ReadThrough({ store, locator, logger: logger.child({ component: 'read-through' }), onFetched: (n) => { service.counters.ufsBytesRead += n; } });
    cleanups.push(() => readThrough.close());
    const service = new BlockService(store, readThrough);

    const dataServer = await DataServer.start({ listen: dataListen, security, blocks: service, hostId, logger: logger.child({ component: 'data-server' }) });
    cleanups.push(() => dataServer.close(options.closeGraceMs ?? 5_000));

    const rpc = createRpcServer();
    const { worker } = loadEddyProto();
    rpc.addService(worker.eddy.v1.Worker.service, wrapService(createWorkerService(service), security, logger.child({ component: 'rpc' })));
    const grpcPort = await bindServer(rpc, options.listen, security);
    cleanups.push(() => new Promise<void>((resolve) => {
      const t = setTimeout(() => { rpc.forceShutdown(); resolve(); }, options.closeGraceMs ?? 5_000);
      rpc.tryShutdown(() => { clearTimeout(t); resolve(); });
    }));

    const advertiseHost = options.advertiseHost ?? hostname();
    const grpcAddress = advertise(grpcListen.host, grpcPort, advertiseHost);
    const dataAddress = advertise(parseHostPort(dataListen).host, dataServer.port, advertiseHost);
    let masterLink: MasterLink | undefined;
    if (master) {
      masterLink = new MasterLink({
        connect: () => createMasterClient(options.masterAddress!, security),
        workerId, runtime: options.runtime, address: { workerId, hostId, grpcAddress, dataAddress },
        blocks: service, logger: logger.child({ component: 'master-link' }),
        ...(options.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {}),
      });
      const link = masterLink;
      cleanups.push(() => link.close());
      masterLink.start();
    }
    logger.info({ workerId, grpcAddress, dataAddress, hostId, tiers: tiers.map((t) => `${t.medium}:${t.path}`), blocks: store.blockCount, master: options.masterAddress ?? null }, 'worker started');

    let closing: Promise<void> | undefined;
    const blocks = service;
    return {
      workerId, hostId, grpcAddress, dataAddress, store, blocks, masterLink,
      close: () => {
        closing ??= (async () => {
          logger.info({ workerId }, 'worker stopping');
          await cleanup();
          logger.info({ workerId }, 'worker stopped');
        })();
        return closing;
      },
    };
  } catch (err) {
    startAbort.abort();
    await cleanup();
    if (err instanceof Error && !(err instanceof ValidationError) && !('code' in err)) throw new UnavailableError(`worker failed to start: ${err.message}`, { cause: err });
    throw err;
  }
}

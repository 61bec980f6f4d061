// Starts a master: opens the journal in dataDir, restores manifests and DataLoads, and serves
// the Master gRPC service on `listen`. The returned handle's close() stops everything (twice is fine).
import type { Logger } from 'pino';
import { bindServer, createRpcServer, loadEddyProto, type RpcSecurity } from '@eddy/protocol';
import { ValidationError } from '@eddy/core';
import { MasterCore } from './master-core.js';
import { createMasterService } from './master-service.js';
import type { UfsFactory } from './namespace/dataset-namespace.js';

export const DEFAULT_MASTER_LISTEN = '127.0.0.1:19998';
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1000;
export const DEFAULT_WORKER_TIMEOUT_MS = 10_000;

export interface MasterOptions {
  /** host:port to serve on (default 127.0.0.1:19998; port 0 picks a free one). */
  listen?: string;
  /** Directory for the journal (created 0700). */
  dataDir: string;
  /** Cluster token every call must carry (empty only for local tests). */
  token: string;
  tls?: RpcSecurity['tls'];
  logger: Logger;
  /** Interval workers are told to heartbeat at (default 1000 ms). */
  heartbeatIntervalMs?: number;
  /** A worker silent this long is lost (default 10000 ms). */
  workerTimeoutMs?: number;
  /** Re-list every dataset on this interval (default: never; refreshes happen on demand). */
  namespaceRefreshIntervalMs?: number;
  /** UFS factory override (tests). */
  createUfs?: UfsFactory;
}

export interface MasterHandle {
  /** host:port actually bound. */
  address: string;
  port: number;
  /** The master's state, for in-process callers and tests. */
  core: MasterCore;
  close(): Promise<void>;
}

function positive(v: number | undefined, def: number, field: string): number {
  const n = v ?? def;
  if (!Number.isFinite(n) || n <= 0) throw new ValidationError(`${field} must be a positive number of milliseconds, got ${n}`, field);
  return n;
}

export async function startMaster(options: MasterOptions): Promise<MasterHandle> {
  const listen = options.listen ?? DEFAULT_MASTER_LISTEN;
  const m = /^(.*):(\d+)$/.exec(listen);
  if (!m) throw new ValidationError(`listen must be HOST:PORT, got ${JSON.stringify(listen)}`, 'listen');
  if (!options.dataDir) throw new ValidationError('dataDir is required', 'dataDir');
  const heartbeatIntervalMs = positive(options.heartbeatIntervalMs, DEFAULT_HEARTBEAT_INTERVAL_MS, 'heartbeatIntervalMs');
  const workerTimeoutMs = positive(options.workerTimeoutMs, DEFAULT_WORKER_TIMEOUT_MS, 'workerTimeoutMs');
  if (workerTimeoutMs <= heartbeatIntervalMs) throw new ValidationError(`workerTimeoutMs (${workerTimeoutMs}) must be larger than heartbeatIntervalMs (${heartbeatIntervalMs})`, 'workerTimeoutMs');
  const security: RpcSecurity = { token: options.token, ...(options.tls ? { tls: options.tls } : {}) };
  const logger = options.logger;

  const core = await MasterCore.open({
    dataDir: options.dataDir, logger, security, heartbeatIntervalMs, workerTimeoutMs,
    ...(options.namespaceRefreshIntervalMs ? { namespaceRefreshIntervalMs: options.namespaceRefreshIntervalMs } : {}),
    ...(options.createUfs ? { createUfs: options.createUfs } : {}),
  });
  const server = createRpcServer();
  const { master } = loadEddyProto();
  server.addService(master.eddy.v1.Master.service, createMasterService(core, security, logger.child({ component: 'rpc' })));
  let port: number;
  try {
    port = await bindServer(server, listen, security);
  } catch (err) {
    server.forceShutdown();
    await core.close();
    throw err;
  }
  const host = m[1] ?? '127.0.0.1';
  const address = `${host}:${port}`;
  logger.info({ address, dataDir: options.dataDir, tls: Boolean(options.tls) }, 'master listening');

  let closing: Promise<void> | undefined;
  return {
    address, port, core,
    close(): Promise<void> {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          // Give in-flight calls a moment, then cut the rest.
          const t = setTimeout(() => { server.forceShutdown(); resolve(); }, 2000);
          server.tryShutdown(() => { clearTimeout(t); resolve(); });
        });
        await core.close();
        logger.info({ address }, 'master stopped');
      })();
      return closing;
    },
  };
}

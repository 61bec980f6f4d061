// Starts a master: resolves its options (master-options.ts), opens the journal in dataDir,
// restores manifests and DataLoads, and serves the Master gRPC service on `listen`. close() or
// aborting `signal` stops everything, in reverse order (twice is fine).
import { AbortedError, parseHostPort } from '@eddy/core';
import { HttpEndpoint } from '@eddy/metrics';
import { statusPageRoutes } from '@eddy/status-page';
import { bindServer, createRpcServer, loadEddyProto, warmMessageCodecs } from '@eddy/protocol';
import type * as grpc from '@grpc/grpc-js';
import type { CredentialInput } from './auth/master-credentials.js';
import { MasterCore } from './master-core.js';
import { MASTER_DEFAULTS, resolveMasterOptions, type MasterOptions } from './master-options.js';
import { createMasterService } from './master-service.js';

/** Kept for callers that predate MASTER_DEFAULTS. */
export const DEFAULT_MASTER_LISTEN = MASTER_DEFAULTS.listen;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = MASTER_DEFAULTS.heartbeatIntervalMs;
export const DEFAULT_WORKER_TIMEOUT_MS = MASTER_DEFAULTS.workerTimeoutMs;

export interface MasterHandle {
  /** host:port actually bound. */
  address: string;
  port: number;
  /** The master's state, for in-process callers and tests. */
  core: MasterCore;
  /** host:port of the status page, when httpListen was given. */
  httpAddress: string | undefined;
  /**
   * Replaces every credential at once (rotation without a restart): a removed token is refused
   * from the next call on, an added one accepted; workers learn the new admin and client digests
   * with their next heartbeat. Throws ValidationError, keeping the current ones, if `c` is invalid.
   */
  setCredentials(c: CredentialInput): void;
  /** Stops the server (in-flight calls get a grace period), then the core. Idempotent. */
  close(): Promise<void>;
}

/** Lets in-flight calls finish for up to `graceMs`, then cuts the rest. */
function shutdownServer(server: grpc.Server, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(() => { server.forceShutdown(); resolve(); }, graceMs);
    server.tryShutdown(() => { clearTimeout(t); resolve(); });
  });
}

function aborted(signal: AbortSignal): AbortedError {
  return new AbortedError('master start aborted', { cause: signal.reason });
}

export async function startMaster(options: MasterOptions): Promise<MasterHandle> {
  const o = resolveMasterOptions(options);
  const { logger, signal } = o;
  if (signal?.aborted) throw aborted(signal);
  const core = await MasterCore.open(o);
  const server = createRpcServer();
  const service = createMasterService(core, o.credentials.authenticator, logger.child({ component: 'rpc' }));
  server.addService(loadEddyProto().master.eddy.v1.Master.service, service);
  let port: number;
  let page: HttpEndpoint | undefined;
  try {
    port = await bindServer(server, o.listen, o.security);
    if (o.httpListen !== undefined) {
      page = await HttpEndpoint.start({
        listen: o.httpListen, token: o.security.token, logger: logger.child({ component: 'status-page' }), flag: '--http-listen',
        routes: statusPageRoutes({ snapshot: () => core.statusSnapshot() }),
      });
    }
    if (signal?.aborted) throw aborted(signal);
  } catch (err) {
    await page?.close();
    server.forceShutdown();
    await core.close();
    throw err;
  }
  const host = parseHostPort(o.listen, 'listen').host;
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ address, dataDir: o.dataDir, tls: Boolean(o.security.tls) }, 'master listening');
  // The codecs built now, not by the first requests (warm-codecs.ts); stopped by close().
  const warming = new AbortController();
  void warmMessageCodecs('Master', { signal: warming.signal, exerciseList: true }).catch((err: unknown) => logger.warn({ err }, 'warming the message codecs failed'));

  let closing: Promise<void> | undefined;
  const onAbort = (): void => { void handle.close(); };
  const handle: MasterHandle = {
    address, port, core, httpAddress: page?.address,
    setCredentials(c: CredentialInput): void {
      o.credentials.replace(c);
      logger.info({ credentials: o.credentials.counts }, 'credentials replaced');
    },
    close(): Promise<void> {
      closing ??= (async () => {
        signal?.removeEventListener('abort', onAbort);
        warming.abort();
        await page?.close();
        await shutdownServer(server, o.shutdownGraceMs);
        await core.close();
        logger.info({ address }, 'master stopped');
      })();
      return closing;
    },
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  return handle;
}

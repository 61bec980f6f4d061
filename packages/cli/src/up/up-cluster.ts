// `eddy up` as a library: one process runs a master, the Runtime's workers and the FUSE mount
// of one dataset, with the manifests applied, and stops them in reverse order (unmount first).
import { createHash } from 'node:crypto';
import { mkdir, rm, rmdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMasterClient, type MasterRpc } from '@eddy/protocol/rpc';
import { TimeoutError, AbortedError, type Logger } from '@eddy/core';
import { type TierLevel, type RuntimeManifest } from '@eddy/manifest';
import { startMaster, type MasterHandle } from '@eddy/master';
import { mountDataset, type MountHandle } from '@eddy/fuse-client';
import { ProcessMetrics, serveMetrics } from '@eddy/metrics';
import { CLI_DEFAULTS } from '../connection/cli-defaults.js';
import { resourceLabel } from '../resource-kinds.js';
import type { UpManifests } from './up-manifests.js';
import { ensureUpCredentials } from './up-credentials.js';
import { startRuntimeWorker, type RuntimeWorker } from './start-runtime-worker.js';

export interface UpOptions {
  manifests: UpManifests;
  mountpoint: string;
  dataDir: string;
  /** host:port for the master (port 0 = any free port). */
  listen: string;
  /** The admin token's file; default `<dataDir>/admin-token`. Worker and client tokens are always in dataDir (up-credentials.ts). */
  tokenFile?: string;
  /** `-o` overrides on top of the Runtime's fuse args (e.g. attr_timeout=1). */
  fuseOptions: string[];
  /** Master's namespace re-list interval (default: on demand and on loadMetadata only). */
  refreshIntervalMs?: number;
  /** host:port of the process's /metrics (master, workers and mount share it); port 0 = any free port. */
  metricsListen: string;
  /** host:port of the master's status page; port 0 = any free port. */
  httpListen: string;
  logger: Logger;
  signal: AbortSignal;
  /** Progress lines for the user (apply results, what started). */
  say(line: string): void;
}

export interface UpCluster {
  masterAddress: string;
  /** host:port of /metrics and of the status page. */
  metricsAddress: string;
  statusPageAddress: string;
  /** The admin token's file. */
  tokenFile: string;
  workers: RuntimeWorker[];
  mount: MountHandle;
  close(): Promise<void>;
}

// How often `eddy up` asks the master whether the workers registered.
const WORKERS_POLL_MS = 200;

/** Tier directories of worker `index`: `<level path>/eddy-up-<instance>/<runtime>-worker-<index>`. */
export function workerTiers(runtime: RuntimeManifest, index: number, instanceId: string): TierLevel[] {
  return runtime.spec.tieredstore.levels.map((l) => ({ ...l, path: join(l.path, `eddy-up-${instanceId}`, `${runtime.metadata.name}-worker-${index}`) }));
}

/** The worker id of worker `index` of `runtime`. */
function upWorkerId(runtime: RuntimeManifest, index: number): string {
  return `${runtime.metadata.name}-worker-${index}`;
}

function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new AbortedError('interrupted while starting');
}

type Closers = { name: string; fn: () => Promise<void> }[];

/** Starts the Runtimes' workers (each with its own tier directories); each one's stop goes on `closers`. */
async function startWorkers(
  options: UpOptions, masterAddress: string, token: string, instanceId: string, closers: Closers, metrics: ProcessMetrics,
): Promise<RuntimeWorker[]> {
  const { logger, signal, manifests } = options;
  const workers: RuntimeWorker[] = [];
  // Runs after the workers stopped: the per-instance MEM directory, once empty, goes too.
  const memLevels = manifests.runtimes.flatMap((r) => r.spec.tieredstore.levels.filter((l) => l.mediumtype === 'MEM'));
  const memRoots = new Set(memLevels.map((l) => join(l.path, `eddy-up-${instanceId}`)));
  closers.push({ name: 'MEM tier directories', fn: async () => { for (const d of memRoots) await rmdir(d).catch(() => undefined); } });
  for (const runtime of manifests.runtimes) {
    for (let i = 0; i < runtime.spec.replicas; i++) {
      checkAborted(signal);
      const tiers = workerTiers(runtime, i, instanceId);
      const w = await startRuntimeWorker({
        masterAddress, token, runtime: runtime.metadata.name, workerId: upWorkerId(runtime, i),
        tiers, logger: logger.child({ component: 'worker', worker: i }), signal, fileRoots: options.manifests.fileRoots, metrics,
      });
      closers.push({
        name: `worker ${w.workerId}`,
        fn: async () => {
          await w.close();
          // MEM tiers are RAM: give it back. Disk tiers stay for the next start.
          for (const t of tiers) if (t.mediumtype === 'MEM') await rm(t.path, { recursive: true, force: true });
        },
      });
      workers.push(w);
      options.say(`worker ${w.workerId} started (${tiers.map((t) => `${t.mediumtype} ${t.path}`).join(', ')})`);
    }
  }
  return workers;
}

/** Waits until `count` workers are live, so a Once DataLoad applied next finds them. */
async function waitForWorkers(rpc: MasterRpc, count: number, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + CLI_DEFAULTS.upWorkersLiveTimeoutMs;
  for (;;) {
    checkAborted(signal);
    const res = await rpc.listWorkers({ runtime: '' }, { timeoutMs: CLI_DEFAULTS.rpcTimeoutMs, signal });
    if (res.workers.filter((w) => w.live).length >= count) return;
    if (Date.now() > deadline) {
      throw new TimeoutError(`workers did not register with the master within ${CLI_DEFAULTS.upWorkersLiveTimeoutMs / 1000}s`);
    }
    await sleep(WORKERS_POLL_MS, undefined, { signal }).catch(() => undefined);
  }
}

export async function startUpCluster(options: UpOptions): Promise<UpCluster> {
  const { logger, signal, manifests } = options;
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const scope = {
    runtimes: manifests.runtimes.map((r) => r.metadata.name),
    workerIds: manifests.runtimes.flatMap((r) => Array.from({ length: r.spec.replicas }, (_, i) => upWorkerId(r, i))),
  };
  const creds = await ensureUpCredentials(dataDir, manifests.dataset.metadata.name, scope, options.tokenFile);
  const token = creds.admin.token;
  // Stable per data directory (a restart finds its blocks again), distinct between instances.
  const instanceId = createHash('sha256').update(dataDir).digest('hex').slice(0, 8);
  const closers: Closers = [];
  const closeAll = async (): Promise<void> => {
    while (closers.length) {
      const c = closers.pop()!;
      await c.fn().catch((err: unknown) => logger.warn({ err, step: c.name }, 'stop step failed'));
    }
  };
  try {
    // One registry for the whole process: master, workers and mount all count into it.
    const metrics = new ProcessMetrics();
    const metricsEndpoint = await serveMetrics(options.metricsListen, token, metrics, logger.child({ component: 'metrics' }));
    closers.push({ name: 'metrics', fn: () => metricsEndpoint.close() });
    const master: MasterHandle = await startMaster({
      listen: options.listen, dataDir: join(dataDir, 'master'), logger: logger.child({ component: 'master' }), signal,
      credentials: { admin: [creds.admin], worker: [creds.worker], client: [creds.client] },
      ufsAllow: { fileRoots: options.manifests.fileRoots }, metrics, httpListen: options.httpListen,
      ...(options.refreshIntervalMs ? { namespaceRefreshIntervalMs: options.refreshIntervalMs } : {}),
    });
    closers.push({ name: 'master', fn: () => master.close() });
    options.say(`master listening on ${master.address}`);
    checkAborted(signal);

    const rpc = createMasterClient(master.address, { token });
    closers.push({ name: 'master client', fn: async () => rpc.close() });
    const applyOptions = { timeoutMs: CLI_DEFAULTS.upApplyTimeoutMs, signal };
    const applied = await rpc.apply({ manifests: manifests.withoutDataLoads }, applyOptions);
    for (const r of applied.results) options.say(`${resourceLabel(r.kind)}/${r.name} ${r.action}`);

    const workers = await startWorkers(options, master.address, creds.worker.token, instanceId, closers, metrics);
    // DataLoads go in once the workers are registered, so a Once load finds them.
    await waitForWorkers(rpc, workers.length, signal);
    if (manifests.dataLoadCount > 0) {
      const all = await rpc.apply({ manifests: manifests.text }, applyOptions);
      for (const r of all.results) if (r.kind === 'DataLoad') options.say(`${resourceLabel(r.kind)}/${r.name} ${r.action}`);
    }

    checkAborted(signal);
    const mount = await mountDataset({
      masterAddress: master.address, dataset: manifests.dataset.metadata.name, mountpoint: options.mountpoint, token: creds.client.token,
      logger: logger.child({ component: 'fuse' }), fuseOptions: options.fuseOptions, signal, metrics,
    });
    closers.push({ name: 'unmount', fn: () => mount.close() });

    let closing: Promise<void> | undefined;
    return {
      masterAddress: master.address,
      metricsAddress: metricsEndpoint.address,
      statusPageAddress: master.httpAddress ?? '',
      tokenFile: creds.adminFile,
      workers,
      mount,
      close: () => (closing ??= closeAll()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

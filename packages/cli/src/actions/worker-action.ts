// `eddy worker`: validates the flags, runs the worker until the process's stop signal, then
// closes it. The master, token and CA come from the one connection resolver.
import { createLogger, parseHostPort, ValidationError } from '@eddy/core';
import { DEFAULT_HIGH_WATERMARK, DEFAULT_LOW_WATERMARK, MEDIUM_TYPES, parseQuantity, type MediumType } from '@eddy/manifest';
import { readTlsFiles } from '@eddy/protocol/rpc';
import { ProcessMetrics } from '@eddy/metrics';
import { startWorker, validateTiers, type TierConfig } from '@eddy/worker';
import type { CommandContext } from '../command-context.js';
import { metricsEndpoint } from './metrics-endpoint.js';
import type { WorkerFlags } from '../commands/worker-command.js';
import { ufsAllowFromFlags } from './ufs-allow-flags.js';
import { untilAborted } from '../commands/process-lifecycle.js';
import { resolveConnection, type ConnectionFlags } from '../connection/resolve-connection.js';

/** `MEDIUM:PATH:QUOTA[:HIGH:LOW]`; PATH may itself contain ':'. */
export function parseTierFlag(value: string, index: number): TierConfig {
  const flag = `--tier #${index + 1}`;
  const parts = value.split(':');
  const usage = `${flag} must be MEDIUM:PATH:QUOTA[:HIGH:LOW] (e.g. MEM:/dev/shm:2Gi:0.99:0.8), got ${JSON.stringify(value)}`;
  if (parts.length < 3) throw new ValidationError(usage, '--tier');
  const medium = parts[0]!.toUpperCase() as MediumType;
  if (!MEDIUM_TYPES.includes(medium)) throw new ValidationError(`${flag}: medium must be one of ${MEDIUM_TYPES.join(', ')}, got ${JSON.stringify(parts[0])}`, '--tier');
  const isRatio = (s: string | undefined): boolean => s !== undefined && /^(?:0|1)?(?:\.\d+)?$/.test(s) && s !== '' && s !== '.';
  let high = DEFAULT_HIGH_WATERMARK;
  let low = DEFAULT_LOW_WATERMARK;
  let rest = parts.slice(1);
  if (rest.length >= 4 && isRatio(rest[rest.length - 1]) && isRatio(rest[rest.length - 2])) {
    high = Number(rest[rest.length - 2]);
    low = Number(rest[rest.length - 1]);
    rest = rest.slice(0, -2);
  }
  const quotaText = rest[rest.length - 1]!;
  const path = rest.slice(0, -1).join(':');
  if (!path.startsWith('/')) throw new ValidationError(`${flag}: PATH must be an absolute directory, got ${JSON.stringify(path)}`, '--tier');
  let quotaBytes: number;
  try {
    quotaBytes = parseQuantity(quotaText, '--tier');
  } catch (err) {
    throw new ValidationError(`${flag}: QUOTA ${(err as Error).message}`, '--tier');
  }
  const tier = { medium, path, quotaBytes, high, low };
  try {
    validateTiers([tier]);
  } catch (err) {
    throw new ValidationError(`${flag}: ${(err as Error).message.replace(/^tiers\[0\]\./, '')}`, '--tier');
  }
  return tier;
}

function checkAddress(value: string | undefined, flag: string, required: boolean): string | undefined {
  if (value === undefined || value === '') {
    if (required) throw new ValidationError(`${flag} is required (HOST:PORT)`, flag);
    return undefined;
  }
  try {
    parseHostPort(value, flag);
  } catch {
    throw new ValidationError(`${flag} must be HOST:PORT, got ${JSON.stringify(value)}`, flag);
  }
  return value;
}

function parseHeartbeatMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Number(text);
  if (!Number.isSafeInteger(ms) || ms < 100) throw new ValidationError(`--heartbeat-ms must be an integer of at least 100, got ${JSON.stringify(text)}`, '--heartbeat-ms');
  return ms;
}

/** The worker's resource caps (`--max-…`, `--hello-timeout-ms`): positive integers, absent = the worker's default. */
function parseCaps(flags: WorkerFlags): Record<string, number> {
  const caps: Record<string, number> = {};
  const named: Array<[keyof WorkerFlags, string, string]> = [
    ['helloTimeoutMs', 'helloTimeoutMs', '--hello-timeout-ms'],
    ['maxDataConnections', 'maxDataConnections', '--max-data-connections'],
    ['maxUnauthenticatedConnections', 'maxUnauthenticatedConnections', '--max-unauthenticated-connections'],
    ['maxPinsPerConnection', 'maxPinsPerConnection', '--max-pins-per-connection'],
    ['maxConcurrentFetches', 'maxConcurrentFetches', '--max-concurrent-fetches'],
  ];
  for (const [key, option, flag] of named) {
    const text = flags[key];
    if (text === undefined) continue;
    const n = Number(text);
    if (typeof text !== 'string' || !/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) {
      throw new ValidationError(`${flag} must be a positive integer, got ${JSON.stringify(text)}`, flag);
    }
    caps[option] = n;
  }
  return caps;
}

function checkRuntime(runtime: string | undefined): string {
  if (!runtime) throw new ValidationError('--runtime is required (the Runtime name, e.g. demo)', '--runtime');
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(runtime)) throw new ValidationError(`--runtime must be letters, digits, - and _, got ${JSON.stringify(runtime)}`, '--runtime');
  return runtime;
}

export async function runWorker(ctx: CommandContext, flags: WorkerFlags, connectionFlags: ConnectionFlags): Promise<void> {
  // A worker never borrows a local `eddy up` token: it is given the worker credential (or --insecure).
  const connection = resolveConnection(connectionFlags, ctx.io.env, { requireMaster: true, upFallback: false });
  const runtime = checkRuntime(flags.runtime);
  const listen = checkAddress(flags.listen, '--listen', true)!;
  const dataListen = checkAddress(flags.dataListen, '--data-listen', false);
  const tiers = flags.tier.map(parseTierFlag);
  if (tiers.length > 0) {
    try { validateTiers(tiers); } catch (err) { throw new ValidationError(`--tier: ${(err as Error).message}`, '--tier'); }
  }
  const heartbeatIntervalMs = parseHeartbeatMs(flags.heartbeatMs);
  const caps = parseCaps(flags);
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) throw new ValidationError('--tls-cert and --tls-key go together', flags.tlsCert ? '--tls-key' : '--tls-cert');
  // The worker serves TLS with its own certificate; the CA (if any) verifies the master.
  const served = flags.tlsCert && flags.tlsKey ? readTlsFiles({ certFile: flags.tlsCert, keyFile: flags.tlsKey }) : undefined;
  const tls = served ? { ...served, ...(connection.ca ? { ca: connection.ca } : {}) } : undefined;
  const logger = createLogger('eddy-worker', flags.logLevel ? { level: flags.logLevel } : {});
  if (!connection.token && flags.insecure) logger.warn('--insecure without a token: anyone who can reach the loopback listeners may read blocks');
  // The stop signal also ends a wait for the master at startup (Ctrl-C must not hang there).
  const ufsAllow = ufsAllowFromFlags(flags, logger);
  const metrics = new ProcessMetrics();
  const endpoint = await metricsEndpoint(flags, connection.token, metrics, logger);
  let handle: Awaited<ReturnType<typeof startWorker>>;
  try {
    handle = await startWorker({
      masterAddress: connection.address, runtime, listen, token: connection.token, insecure: flags.insecure === true, logger, signal: ctx.signal, metrics,
      ...(dataListen ? { dataListen } : {}), ...(tiers.length > 0 ? { tiers } : {}), ...(tls ? { tls } : {}),
      ...(flags.hostId ? { hostId: flags.hostId } : {}), ...(flags.workerId ? { workerId: flags.workerId } : {}),
      ...(flags.advertiseHost ? { advertiseHost: flags.advertiseHost } : {}),
      ...(heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs } : {}),
      ...(ufsAllow ? { ufsAllow } : {}), ...caps,
    });
  } catch (err) {
    await endpoint?.close();
    if (!ctx.signal.aborted) throw err;
    logger.info({ signal: ctx.signal.reason }, 'stopped while starting');
    return;
  }
  try {
    ctx.io.stdout.write(`worker ${handle.workerId} serving: grpc ${handle.grpcAddress}, data ${handle.dataAddress}\n`);
    await untilAborted(ctx.signal);
    logger.info({ signal: ctx.signal.reason }, 'shutting down');
  } finally {
    await handle.close();
    await endpoint?.close();
  }
}

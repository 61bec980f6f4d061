// `eddy master`: validates the flags, runs the master until the process's stop signal, then
// closes it. Only flags the user gave are passed: the master fills in its own defaults. SIGHUP
// re-reads the token files and replaces the credentials (rotation without a restart).
import { createLogger, parseHostPort, ValidationError } from '@eddy/core';
import { startMaster } from '@eddy/master';
import { ProcessMetrics } from '@eddy/metrics';
import { readTlsFiles } from '@eddy/protocol/rpc';
import type { CommandContext } from '../command-context.js';
import { metricsEndpoint } from './metrics-endpoint.js';
import type { MasterFlags } from '../commands/master-command.js';
import { untilAborted } from '../commands/process-lifecycle.js';
import { masterCredentials } from './master-credentials.js';
import { ufsAllowFromFlags } from './ufs-allow-flags.js';

function parseMs(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n <= 0) throw new ValidationError(`${flag} must be a positive whole number of milliseconds, got ${JSON.stringify(text)}`, flag);
  return n;
}

function optionalMs(text: string | undefined, flag: string): number | undefined {
  return text === undefined ? undefined : parseMs(text, flag);
}

export async function runMaster(ctx: CommandContext, flags: MasterFlags, globalTokenFile: string | undefined): Promise<void> {
  if (flags.listen !== undefined) parseHostPort(flags.listen, '--listen');
  if (Boolean(flags.tlsCert) !== Boolean(flags.tlsKey)) throw new ValidationError('--tls-cert and --tls-key go together', '--tls-cert');
  const tls = flags.tlsCert && flags.tlsKey
    ? readTlsFiles({ certFile: flags.tlsCert, keyFile: flags.tlsKey, ...(flags.tlsCa ? { caFile: flags.tlsCa } : {}) })
    : undefined;
  const heartbeatIntervalMs = optionalMs(flags.heartbeatInterval, '--heartbeat-interval');
  const workerTimeoutMs = optionalMs(flags.workerTimeout, '--worker-timeout');
  const namespaceRefreshIntervalMs = optionalMs(flags.refreshInterval, '--refresh-interval');
  const hitRatioWindowMs = optionalMs(flags.hitRatioWindow, '--hit-ratio-window');
  const logger = createLogger('eddy-master', flags.logLevel ? { level: flags.logLevel } : {});
  const { adminToken, ...credentials } = masterCredentials(flags, globalTokenFile, ctx.io.env, logger);
  // Aborting the stop signal stops the master (also while it starts); close() below waits for it.
  const ufsAllow = ufsAllowFromFlags(flags, logger);
  const metrics = new ProcessMetrics();
  const endpoint = await metricsEndpoint(flags, adminToken, metrics, logger);
  const handle = await startMaster({
    dataDir: flags.dataDir, ...credentials, logger, signal: ctx.signal, metrics,
    ...(flags.httpListen !== undefined ? { httpListen: flags.httpListen } : {}),
    ...(hitRatioWindowMs !== undefined ? { hitRatioWindowMs } : {}),
    ...(ufsAllow ? { ufsAllow } : {}),
    ...(flags.listen !== undefined ? { listen: flags.listen } : {}),
    ...(tls ? { tls } : {}),
    ...(heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs } : {}),
    ...(workerTimeoutMs !== undefined ? { workerTimeoutMs } : {}),
    ...(namespaceRefreshIntervalMs !== undefined ? { namespaceRefreshIntervalMs } : {}),
  }).catch(async (err: unknown) => {
    await endpoint?.close();
    throw err;
  });
  const reload = (): void => {
    try {
      const { adminToken: _unchanged, ...next } = masterCredentials(flags, globalTokenFile, ctx.io.env, logger);
      handle.setCredentials(next);
    } catch (err) {
      logger.error({ err }, 'SIGHUP: the token files were not reloaded; the current credentials stay');
    }
  };
  process.on('SIGHUP', reload);
  try {
    await untilAborted(ctx.signal);
    logger.info({ signal: ctx.signal.reason }, 'shutting down');
  } finally {
    process.off('SIGHUP', reload);
    await handle.close();
    await endpoint?.close();
  }
}

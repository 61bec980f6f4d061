// `eddy worker --master HOST:PORT --runtime NAME --listen HOST:PORT [--data-listen HOST:PORT]
// [--token-file F] [--tier MEDIUM:PATH:QUOTA[:HIGH:LOW] ...] [--host-id ID]`: runs one worker until
// SIGINT/SIGTERM, then lets in-flight reads finish (bounded) and exits 0. Tiers come from the
// Runtime held by the master unless --tier flags are given.
import type { Command } from 'commander';
import { createLogger, parseHostPort, ValidationError } from '@eddy/core';
import { parseQuantity } from '@eddy/manifest';
import { readTlsFiles, readTokenFile } from '@eddy/protocol';
import { startWorker, TIER_MEDIA, DEFAULT_HIGH, DEFAULT_LOW, validateTiers, type TierConfig, type TierMedium } from '@eddy/worker';
import { collect, untilSignal } from './process-lifecycle.js';

interface WorkerFlags {
  master?: string;
  runtime?: string;
  listen?: string;
  dataListen?: string;
  tokenFile?: string;
  tier: string[];
  hostId?: string;
  workerId?: string;
  advertiseHost?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  heartbeatMs?: string;
  logLevel?: string;
}


/** `MEDIUM:PATH:QUOTA[:HIGH:LOW]`; PATH may itself contain ':'. */
export function parseTierFlag(value: string, index: number): TierConfig {
  const flag = `--tier #${index + 1}`;
  const parts = value.split(':');
  const usage = `${flag} must be MEDIUM:PATH:QUOTA[:HIGH:LOW] (e.g. MEM:/dev/shm:2Gi:0.99:0.8), got ${JSON.stringify(value)}`;
  if (parts.length < 3) throw new ValidationError(usage, '--tier');
  const medium = parts[0]!.toUpperCase() as TierMedium;
  if (!TIER_MEDIA.includes(medium)) throw new ValidationError(`${flag}: medium must be one of ${TIER_MEDIA.join(', ')}, got ${JSON.stringify(parts[0])}`, '--tier');
  const isRatio = (s: string | undefined): boolean => s !== undefined && /^(?:0|1)?(?:\.\d+)?$/.test(s) && s !== '' && s !== '.';
  let high = DEFAULT_HIGH;
  let low = DEFAULT_LOW;
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

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a worker: tiered block cache, UFS read-through and the block data channel, until interrupted')
    .option('--master <host:port>', 'master address (env EDDY_MASTER)')
    .option('--runtime <name>', 'the Runtime this worker belongs to')
    .option('--listen <host:port>', 'address of the worker\'s control (gRPC) service')
    .option('--data-listen <host:port>', 'address of the block data channel (default: the --listen host, any free port)')
    .option('--token-file <file>', 'file holding the cluster token (env EDDY_TOKEN_FILE)')
    .option('--tier <MEDIUM:PATH:QUOTA[:HIGH:LOW]>', 'a cache tier, fastest first; repeatable; overrides the Runtime\'s tieredstore', collect, [])
    .option('--host-id <id>', 'host id shared with FUSE clients on this host (short-circuit reads); default: the hostname')
    .option('--worker-id <id>', 'stable worker id (default: derived from host id, runtime and addresses)')
    .option('--advertise-host <host>', 'host named in advertised addresses when listening on 0.0.0.0 (default: the hostname)')
    .option('--tls-cert <file>', 'certificate (PEM) for the gRPC and data channel servers; enables TLS')
    .option('--tls-key <file>', 'private key (PEM) for --tls-cert')
    .option('--tls-ca <file>', 'CA bundle (PEM) to verify the master')
    .option('--heartbeat-ms <ms>', 'heartbeat interval (default: what the master asks for)')
    .option('--log-level <level>', 'pino log level (env EDDY_LOG_LEVEL, default info)')
    .action(async (flags: WorkerFlags, cmd: Command) => {
      const globals = cmd.optsWithGlobals<{ master?: string; tokenFile?: string }>();
      const master = checkAddress(flags.master ?? globals.master ?? (process.env['EDDY_MASTER'] || undefined), '--master', true)!;
      if (!flags.runtime) throw new ValidationError('--runtime is required (the Runtime name, e.g. demo)', '--runtime');
      if (!/^[A-Za-z0-9_-]{1,128}$/.test(flags.runtime)) throw new ValidationError(`--runtime must be letters, digits, - and _, got ${JSON.stringify(flags.runtime)}`, '--runtime');
      const listen = checkAddress(flags.listen, '--listen', true)!;
      const dataListen = checkAddress(flags.dataListen, '--data-listen', false);
      const tiers = flags.tier.map(parseTierFlag);
      if (tiers.length > 0) {
        try { validateTiers(tiers); } catch (err) { throw new ValidationError(`--tier: ${(err as Error).message}`, '--tier'); }
      }
      let heartbeatIntervalMs: number | undefined;
      if (flags.heartbeatMs !== undefined) {
        heartbeatIntervalMs = Number(flags.heartbeatMs);
        if (!Number.isSafeInteger(heartbeatIntervalMs) || heartbeatIntervalMs < 100) throw new ValidationError(`--heartbeat-ms must be an integer of at least 100, got ${JSON.stringify(flags.heartbeatMs)}`, '--heartbeat-ms');
      }
      if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) throw new ValidationError('--tls-cert and --tls-key go together', flags.tlsCert ? '--tls-key' : '--tls-cert');
      const tokenFile = flags.tokenFile ?? globals.tokenFile ?? (process.env['EDDY_TOKEN_FILE'] || undefined);
      const token = tokenFile ? readTokenFile(tokenFile, '--token-file') : '';
      const tls = flags.tlsCert && flags.tlsKey ? readTlsFiles({ certFile: flags.tlsCert, keyFile: flags.tlsKey, ...(flags.tlsCa ? { caFile: flags.tlsCa } : {}) }) : undefined;
      const logger = createLogger('eddy-worker', flags.logLevel ? { level: flags.logLevel } : {});
      if (!token) logger.warn('no cluster token (--token-file / EDDY_TOKEN_FILE): connections are not authenticated');
      // The signal also ends a wait for the master at startup (Ctrl-C must not hang there).
      const stop = new AbortController();
      const stopped = untilSignal().then((sig) => { stop.abort(); return sig; });
      let handle: Awaited<ReturnType<typeof startWorker>>;
      try {
        handle = await startWorker({
          masterAddress: master, runtime: flags.runtime, listen, token, logger, signal: stop.signal,
          ...(dataListen ? { dataListen } : {}), ...(tiers.length > 0 ? { tiers } : {}), ...(tls ? { tls } : {}),
          ...(flags.hostId ? { hostId: flags.hostId } : {}), ...(flags.workerId ? { workerId: flags.workerId } : {}),
          ...(flags.advertiseHost ? { advertiseHost: flags.advertiseHost } : {}),
          ...(heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs } : {}),
        });
      } catch (err) {
        if (!stop.signal.aborted) throw err;
        logger.info({ signal: await stopped }, 'stopped while starting');
        process.exitCode = 0;
        return;
      }
      process.stdout.write(`worker ${handle.workerId} serving: grpc ${handle.grpcAddress}, data ${handle.dataAddress}\n`);
      const sig = await stopped;
      logger.info({ signal: sig }, 'shutting down');
      await handle.close();
      process.exitCode = 0;
    });
}

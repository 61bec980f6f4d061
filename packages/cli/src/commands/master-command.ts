// `eddy master --listen HOST:PORT --data-dir DIR [--token-file F]`: runs the master until
// SIGINT/SIGTERM, then closes it (journal flushed, server stopped) and exits 0.
import type { Command } from 'commander';
import { createLogger, ValidationError } from '@eddy/core';
import { readTlsFiles, readTokenFile } from '@eddy/protocol';
import { startMaster, DEFAULT_MASTER_LISTEN, DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_WORKER_TIMEOUT_MS } from '@eddy/master';
import { untilSignal } from './process-lifecycle.js';

interface MasterFlags {
  listen: string;
  dataDir: string;
  tokenFile?: string;
  heartbeatInterval: string;
  workerTimeout: string;
  refreshInterval?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  logLevel?: string;
}

function parseMs(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n <= 0) throw new ValidationError(`${flag} must be a positive whole number of milliseconds, got ${JSON.stringify(text)}`, flag);
  return n;
}

function parseListen(text: string): string {
  const m = /^(.+):(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) > 65535) throw new ValidationError(`--listen must be HOST:PORT (e.g. ${DEFAULT_MASTER_LISTEN}), got ${JSON.stringify(text)}`, '--listen');
  return text;
}

export function registerMasterCommand(program: Command): void {
  program
    .command('master')
    .description('run the master: manifests, dataset namespaces, worker registry, block placement, DataLoads')
    .option('--listen <host:port>', 'address to serve the control plane on', DEFAULT_MASTER_LISTEN)
    .requiredOption('--data-dir <dir>', 'directory for the journal (manifests, secrets, DataLoad history); created 0700')
    .option('--token-file <file>', 'file holding the cluster token (env EDDY_TOKEN_FILE)')
    .option('--heartbeat-interval <ms>', 'heartbeat interval workers are told to use', String(DEFAULT_HEARTBEAT_INTERVAL_MS))
    .option('--worker-timeout <ms>', 'a worker silent this long is lost', String(DEFAULT_WORKER_TIMEOUT_MS))
    .option('--refresh-interval <ms>', 're-list every dataset on this interval (default: only on demand)')
    .option('--tls-cert <file>', 'TLS certificate (PEM); serves TLS when given with --tls-key')
    .option('--tls-key <file>', 'TLS private key (PEM)')
    .option('--tls-ca <file>', 'CA bundle (PEM)')
    .option('--log-level <level>', 'pino log level (env EDDY_LOG_LEVEL, default info)')
    .action(async (flags: MasterFlags, cmd: Command) => {
      const globals = cmd.optsWithGlobals<{ tokenFile?: string }>();
      const tokenFile = flags.tokenFile ?? globals.tokenFile ?? (process.env['EDDY_TOKEN_FILE'] || undefined);
      if (!tokenFile) throw new ValidationError('no cluster token: pass --token-file FILE or set EDDY_TOKEN_FILE (every worker and client must present the same token)', '--token-file');
      const token = readTokenFile(tokenFile, '--token-file');
      if (Boolean(flags.tlsCert) !== Boolean(flags.tlsKey)) throw new ValidationError('--tls-cert and --tls-key go together', '--tls-cert');
      const tls = flags.tlsCert && flags.tlsKey
        ? readTlsFiles({ certFile: flags.tlsCert, keyFile: flags.tlsKey, ...(flags.tlsCa ? { caFile: flags.tlsCa } : {}) })
        : undefined;
      const logger = createLogger('eddy-master', flags.logLevel ? { level: flags.logLevel } : {});
      const stopped = untilSignal();
      const handle = await startMaster({
        listen: parseListen(flags.listen),
        dataDir: flags.dataDir,
        token,
        ...(tls ? { tls } : {}),
        logger,
        heartbeatIntervalMs: parseMs(flags.heartbeatInterval, '--heartbeat-interval'),
        workerTimeoutMs: parseMs(flags.workerTimeout, '--worker-timeout'),
        ...(flags.refreshInterval ? { namespaceRefreshIntervalMs: parseMs(flags.refreshInterval, '--refresh-interval') } : {}),
      });
      const sig = await stopped;
      logger.info({ signal: sig }, 'shutting down');
      await handle.close();
      process.exitCode = 0;
    });
}

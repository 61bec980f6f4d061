// `eddy master --listen HOST:PORT --data-dir DIR --admin-token-file F --worker-token-file F --client-token-file F
// [--allow-file-root DIR ...]`: flags here (SIGHUP re-reads the token files); the master runs
// in actions/master-action.ts until the process's stop signal, then closes (journal flushed,
// server stopped) and the command exits 0. Flags left out take the master's own defaults
// (MASTER_DEFAULTS in @eddy/master). This module does not load that package, so `eddy --help`
// stays fast; the help text repeats the defaults and test/startup-imports.test.ts keeps it true.
import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { CLI_ENV, METRICS_TOKEN_FLAG, METRICS_TOKEN_HELP } from '../connection/cli-defaults.js';
import { collect } from './process-lifecycle.js';

export interface MasterFlags {
  listen?: string;
  dataDir: string;
  tokenFile?: string;
  adminTokenFile?: string;
  workerTokenFile?: string;
  clientTokenFile?: string;
  heartbeatInterval?: string;
  workerTimeout?: string;
  refreshInterval?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  logLevel?: string;
  allowFileRoot?: string[];
  allowEndpoint?: string[];
  metricsListen?: string;
  metricsTokenFile?: string;
  httpListen?: string;
  hitRatioWindow?: string;
}

export function registerMasterCommand(program: Command, ctx: CommandContext): void {
  program
    .command('master')
    .description('run the master: manifests, dataset namespaces, worker registry, block placement, DataLoads; SIGHUP re-reads the token files')
    .option('--listen <host:port>', 'address to serve the control plane on (default: 127.0.0.1:19998)')
    .requiredOption('--data-dir <dir>', 'directory for the journal (manifests, secrets, DataLoad history); created 0700')
    .option('--admin-token-file <file>', 'admin credentials (apply, delete, get, everything): one token per line')
    .option('--worker-token-file <file>', 'worker credentials (register, heartbeat, mounts with cloud credentials); line: TOKEN [datasets=A,B] [workers=ID,ID]')
    .option('--client-token-file <file>', 'client credentials (mount and read); line: TOKEN [datasets=A,B] [ufs=direct]')
    .option('--token-file <file>', `deprecated: one token that holds every role (env ${CLI_ENV.tokenFile})`)
    .option('--heartbeat-interval <ms>', 'heartbeat interval workers are told to use (default: 1000)')
    .option('--allow-file-root <dir>', 'a directory file:// mounts may lie under; repeatable (default: any directory, with a warning)', collect, [])
    .option('--allow-endpoint <host[:port]>', 'an S3/OSS endpoint mounts may use; repeatable (default: any endpoint)', collect, [])
    .option('--worker-timeout <ms>', 'a worker silent this long is lost (default: 10000)')
    .option('--refresh-interval <ms>', 're-list every dataset on this interval (default: only on demand)')
    .option('--tls-cert <file>', 'TLS certificate (PEM); serves TLS when given with --tls-key')
    .option('--tls-key <file>', 'TLS private key (PEM)')
    .option('--tls-ca <file>', 'CA bundle (PEM)')
    .option('--metrics-listen <host:port>', 'serve Prometheus /metrics here (off loopback: an admin token as a bearer token)')
    .option(METRICS_TOKEN_FLAG, METRICS_TOKEN_HELP)
    .option('--http-listen <host:port>', 'serve the live status page here (off loopback: an admin token as the password)')
    .option('--hit-ratio-window <ms>', 'window of the hit ratios in Dataset status (default: 60000, Fluid\'s last minute)')
    .option('--log-level <level>', 'pino log level (env EDDY_LOG_LEVEL, default info)')
    .action(async (flags: MasterFlags, cmd: Command) => {
      await (await import('../actions/master-action.js')).runMaster(ctx, flags, cmd.optsWithGlobals<{ tokenFile?: string }>().tokenFile);
    });
}

// `eddy worker --master HOST:PORT --runtime NAME --listen HOST:PORT [--data-listen HOST:PORT]
// [--token-file F | --insecure] [--tier MEDIUM:PATH:QUOTA[:HIGH:LOW] ...] [--host-id ID]`: flags here; the
// worker runs in actions/worker-action.ts until the process's stop signal, then lets in-flight
// reads finish (bounded) and exits 0. Tiers come from the Runtime held by the master unless
// --tier flags are given.
import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { METRICS_TOKEN_FLAG, METRICS_TOKEN_HELP } from '../connection/cli-defaults.js';
import { collect } from './process-lifecycle.js';

export interface WorkerFlags {
  master?: string;
  runtime?: string;
  listen?: string;
  dataListen?: string;
  tokenFile?: string;
  insecure?: boolean;
  tier: string[];
  allowFileRoot?: string[];
  allowEndpoint?: string[];
  hostId?: string;
  workerId?: string;
  advertiseHost?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  heartbeatMs?: string;
  metricsListen?: string;
  metricsTokenFile?: string;
  logLevel?: string;
  helloTimeoutMs?: string;
  maxDataConnections?: string;
  maxUnauthenticatedConnections?: string;
  maxPinsPerConnection?: string;
  maxConcurrentFetches?: string;
}

export function registerWorkerCommand(program: Command, ctx: CommandContext): void {
  program
    .command('worker')
    .description('run a worker: tiered block cache, UFS read-through and the block data channel, until interrupted')
    .option('--master <host:port>', 'master address (env EDDY_MASTER)')
    .option('--runtime <name>', 'the Runtime this worker belongs to')
    .option('--listen <host:port>', 'address of the worker\'s control (gRPC) service')
    .option('--data-listen <host:port>', 'address of the block data channel (default: the --listen host, any free port)')
    .option('--token-file <file>', 'file holding the worker credential (env EDDY_TOKEN_FILE)')
    .option('--insecure', 'run without a token: anyone may call the worker; only with loopback --listen and --data-listen')
    .option('--tier <MEDIUM:PATH:QUOTA[:HIGH:LOW]>', 'a cache tier, fastest first; repeatable; overrides the Runtime\'s tieredstore', collect, [])
    .option('--allow-file-root <dir>', 'a directory file:// mounts may lie under; repeatable (default: any directory, with a warning)', collect, [])
    .option('--allow-endpoint <host[:port]>', 'an S3/OSS endpoint mounts may use; repeatable (default: any endpoint)', collect, [])
    .option('--host-id <id>', 'host id shared with FUSE clients on this host (short-circuit reads); default: the hostname')
    .option('--worker-id <id>', 'stable worker id (default: derived from host id, runtime and addresses)')
    .option('--advertise-host <host>', 'host named in advertised addresses when listening on 0.0.0.0 (default: the hostname)')
    .option('--tls-cert <file>', 'certificate (PEM) for the gRPC and data channel servers; enables TLS')
    .option('--tls-key <file>', 'private key (PEM) for --tls-cert')
    .option('--tls-ca <file>', 'CA bundle (PEM) to verify the master')
    .option('--heartbeat-ms <ms>', 'heartbeat interval (default: what the master asks for)')
    .option('--metrics-listen <host:port>', 'serve Prometheus /metrics here (off loopback: the token as a bearer token)')
    .option(METRICS_TOKEN_FLAG, METRICS_TOKEN_HELP)
    .option('--log-level <level>', 'pino log level (env EDDY_LOG_LEVEL, default info)')
    .option('--hello-timeout-ms <ms>', 'close data channel connections that have not authenticated by then (default 10000)')
    .option('--max-data-connections <n>', 'data channel connections at once (default 1024)')
    .option('--max-unauthenticated-connections <n>', 'data channel connections not yet authenticated (default 64)')
    .option('--max-pins-per-connection <n>', 'blocks one connection may hold pinned for a local reader (default 128)')
    .option('--max-concurrent-fetches <n>', 'block fetches from the bucket at once; more wait (default 16)')
    .action(async (flags: WorkerFlags, cmd: Command) => {
      const globals = cmd.optsWithGlobals<{ master?: string; tokenFile?: string }>();
      const connection = { master: flags.master ?? globals.master, tokenFile: flags.tokenFile ?? globals.tokenFile, tlsCa: flags.tlsCa };
      await (await import('../actions/worker-action.js')).runWorker(ctx, flags, connection);
    });
}

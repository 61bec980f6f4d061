// `eddy mount --master HOST:PORT --dataset NAME MOUNTPOINT [-o opts] [--token-file F]`: flags
// here; actions/mount-action.ts mounts the dataset with FUSE and serves it until the process's
// stop signal, then unmounts cleanly (exit 0). A mountpoint left broken by a crashed mount is
// recovered (lazy unmount) instead of failing.
import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { CLI_ENV, METRICS_TOKEN_FLAG, METRICS_TOKEN_HELP } from '../connection/cli-defaults.js';
import { collect } from './process-lifecycle.js';

export interface MountFlags {
  master?: string;
  dataset?: string;
  options: string[];
  tokenFile?: string;
  directUfs?: boolean;
  hostId?: string;
  tlsCa?: string;
  logLevel?: string;
  readahead?: string;
  metricsListen?: string;
  metricsTokenFile?: string;
  /** commander's `--no-fast-read`: false when given. */
  fastRead?: boolean;
  /** commander's `--no-fast-attr`: false when given. */
  fastAttr?: boolean;
}

export function registerMountCommand(program: Command, ctx: CommandContext): void {
  program
    .command('mount')
    .description('mount a dataset with FUSE (read path: local blocks, then workers, which read misses through) until interrupted')
    .argument('<mountpoint>', 'directory to mount the dataset at (created if missing)')
    .option('--master <host:port>', `master address (env ${CLI_ENV.master})`)
    .option('--dataset <name>', 'dataset to mount')
    .option('-o, --options <opts>', 'FUSE options over the Runtime\'s fuse.args, comma separated; repeatable (e.g. -o attr_timeout=5,ro)', collect, [])
    .option('--token-file <file>', `file holding the client credential (env ${CLI_ENV.tokenFile}; default: a local eddy up's client token)`)
    .option('--direct-ufs', 'read the bucket directly when no worker can serve a block (needs a client credential granted ufs=direct)')
    .option('--host-id <id>', 'this host\'s id for short-circuit reads (default: the hostname, as workers use)')
    .option('--tls-ca <file>', `CA bundle (PEM) to verify the master and workers; enables TLS (env ${CLI_ENV.tlsCa})`)
    .option('--readahead <MiB>', 'largest readahead window of a sequential reader, in MiB (default 64; 0 disables readahead)')
    .option('--no-fast-read', 'answer every read in JavaScript, not reads of pinned local blocks in libfuse\'s threads (for A/B runs)')
    .option('--no-fast-attr', 'answer every getattr in JavaScript, not those of cached paths in libfuse\'s threads (for A/B runs)')
    .option('--metrics-listen <host:port>', 'serve Prometheus /metrics here (off loopback: the token as a bearer token)')
    .option(METRICS_TOKEN_FLAG, METRICS_TOKEN_HELP)
    .option('--log-level <level>', 'pino log level (env EDDY_LOG_LEVEL, default info)')
    .action(async (mountpoint: string, flags: MountFlags, cmd: Command) => {
      const globals = cmd.optsWithGlobals<{ master?: string; tokenFile?: string }>();
      const connection = { master: flags.master ?? globals.master, tokenFile: flags.tokenFile ?? globals.tokenFile, tlsCa: flags.tlsCa };
      await (await import('../actions/mount-action.js')).runMount(ctx, mountpoint, flags, connection);
    });
}

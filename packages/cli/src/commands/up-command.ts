// `eddy up -f MANIFESTS --mount DIR`: the all-in-one foreground command (master, the Runtime's
// workers, the FUSE mount). Flags here; actions/up-action.ts runs it until the stop signal.
import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { CLI_DEFAULTS } from '../connection/cli-defaults.js';
import { collect } from './process-lifecycle.js';

export interface UpFlags {
  filename: string[];
  mount: string;
  dataDir?: string;
  listen: string;
  dataset?: string;
  fuseOption: string[];
  refreshInterval?: string;
  metricsListen: string;
  httpListen: string;
  logLevel: string;
}

export function registerUpCommand(program: Command, ctx: CommandContext): void {
  program
    .command('up')
    .description('run a master, the Runtime\'s workers and the FUSE mount of a dataset in this terminal (Ctrl-C stops)')
    .requiredOption('-f, --filename <file>', 'manifests (Secret, Dataset, Runtime, DataLoad); repeatable', collect, [])
    .option('--mount <dir>', 'where to mount the dataset', '/data')
    .option('--data-dir <dir>', 'state directory: journal and token (default $XDG_STATE_HOME/eddy/up or ~/.local/state/eddy/up)')
    // Client commands find this master without flags when it listens where they look by default.
    .option('--listen <host:port>', 'master address (port 0 = any free port)', CLI_DEFAULTS.master)
    .option('--dataset <name>', 'dataset to mount when the manifests hold several')
    .option('-o, --fuse-option <opts>', 'FUSE options on top of the Runtime\'s fuse args, e.g. attr_timeout=1,entry_timeout=1 (repeatable)', collect, [])
    .option('--refresh-interval <ms>', 're-list the datasets\' buckets on this interval (default: when a DataLoad asks)')
    .option('--metrics-listen <host:port>', 'Prometheus /metrics of master, workers and mount (port 0 = any free port)', '127.0.0.1:0')
    .option('--http-listen <host:port>', 'the master\'s live status page (port 0 = any free port)', '127.0.0.1:0')
    .option('--log-level <level>', 'log level of the components (logs go to stderr)', 'warn')
    .action(async (flags: UpFlags, cmd: Command) => {
      const tokenFile = cmd.optsWithGlobals<{ tokenFile?: string }>().tokenFile;
      await (await import('../actions/up-action.js')).runUp(ctx, flags, tokenFile);
    });
}

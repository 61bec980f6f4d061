// `eddy load DATASET [--path P]… [--replicas N] [--load-metadata] [--wait]`: a one-off DataLoad
// without writing a manifest (it is one: a `policy: Once` DataLoad, visible in `get dataload`).
import type { Command } from 'commander';
import { connectionFlags, type CommandContext } from '../command-context.js';
import { TLS_CA_FLAG, TLS_CA_HELP } from '../connection/cli-defaults.js';
import { collect } from './process-lifecycle.js';

export interface LoadFlags {
  path: string[];
  replicas: string;
  name?: string;
  loadMetadata?: boolean;
  wait?: boolean;
}

export function registerLoadCommand(program: Command, ctx: CommandContext): void {
  program
    .command('load')
    .description('load (part of) a dataset into the cache now: a Once DataLoad; --wait follows it with a progress bar')
    .argument('<dataset>', 'dataset name')
    .option(TLS_CA_FLAG, TLS_CA_HELP)
    .option('--path <path>', 'file or directory inside the dataset (repeatable; default /)', collect, [])
    .option('--replicas <n>', 'workers that should hold each block', '1')
    .option('--name <name>', 'DataLoad name (default <dataset>-load-<time>)')
    .option('--load-metadata', 're-list the bucket first (new, changed, deleted objects)')
    .option('--wait', 'follow the load until it ends; exit 1 if it fails')
    .action(async (dataset: string, flags: LoadFlags, cmd: Command) => {
      await (await import('../actions/load-action.js')).runLoad(ctx, connectionFlags(cmd), dataset, flags);
    });
}

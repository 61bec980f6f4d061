// `eddy get dataset|runtime|dataload|worker|secret [NAME] [-o wide|json|yaml] [-w]`: flags here,
// the work in actions/get-action.ts (loaded when the command runs).
import type { Command } from 'commander';
import { connectionFlags, type CommandContext } from '../command-context.js';
import { TLS_CA_FLAG, TLS_CA_HELP } from '../connection/cli-defaults.js';
import type { OutputFormat } from '../output/render-listing.js';
import { parseResourceName } from '../resource-kinds.js';
import { UsageError } from '../usage-error.js';

export function parseOutputFormat(text: string | undefined): OutputFormat {
  if (text === undefined) return 'table';
  if (text === 'wide' || text === 'json' || text === 'yaml') return text;
  throw new UsageError(`-o must be one of wide, json, yaml; got "${text}"`);
}

interface GetFlags { output?: string; watch?: boolean; headers: boolean }

export function registerGetCommand(program: Command, ctx: CommandContext): void {
  program
    .command('get')
    .description('list datasets, runtimes, dataloads or workers (tables like kubectl get)')
    .argument('<resource>', 'dataset | runtime | dataload | worker')
    .argument('[name]', 'one object by name')
    .option('-o, --output <format>', 'wide | json | yaml')
    .option(TLS_CA_FLAG, TLS_CA_HELP)
    .option('-w, --watch', 'keep watching: rows as they change; a progress bar for `get dataload NAME`')
    .option('--no-headers', 'omit the table header')
    .action(async (resourceText: string, name: string | undefined, flags: GetFlags, cmd: Command) => {
      const resource = parseResourceName(resourceText, ['dataset', 'runtime', 'dataload', 'worker', 'secret']);
      const format = parseOutputFormat(flags.output);
      const { runGet } = await import('../actions/get-action.js');
      await runGet(ctx, connectionFlags(cmd), { resource, name, format, watch: flags.watch === true, headers: flags.headers });
    });
}

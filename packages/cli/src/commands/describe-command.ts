// `eddy describe dataset|dataload|runtime NAME`: the object in kubectl describe's layout.
import type { Command } from 'commander';
import { connectionFlags, type CommandContext } from '../command-context.js';
import { TLS_CA_FLAG, TLS_CA_HELP } from '../connection/cli-defaults.js';
import { parseResourceName } from '../resource-kinds.js';

export function registerDescribeCommand(program: Command, ctx: CommandContext): void {
  program
    .command('describe')
    .description('show one dataset, dataload or runtime with its status (like kubectl describe)')
    .argument('<resource>', 'dataset | dataload | runtime')
    .argument('<name>', 'object name')
    .option(TLS_CA_FLAG, TLS_CA_HELP)
    .action(async (resourceText: string, name: string, _flags: unknown, cmd: Command) => {
      const resource = parseResourceName(resourceText, ['dataset', 'dataload', 'runtime']);
      await (await import('../actions/describe-action.js')).runDescribe(ctx, connectionFlags(cmd), resource, name);
    });
}

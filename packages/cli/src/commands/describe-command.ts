// `eddy describe dataset|dataload NAME`: the object in kubectl describe's layout.
import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { globalsOf } from '../command-context.js';
import { withMaster, TLS_CA_FLAG, TLS_CA_HELP } from '../master-connection.js';
import { parseResourceName } from '../resource-kinds.js';
import { renderDescribe } from '../output/render-describe.js';
import { resourceObject } from '../output/resource-object.js';
import { fetchResource } from './get-command.js';

export function registerDescribeCommand(program: Command, ctx: CommandContext): void {
  program
    .command('describe')
    .description('show one dataset, dataload or runtime with its status (like kubectl describe)')
    .argument('<resource>', 'dataset | dataload | runtime')
    .argument('<name>', 'object name')
    .option(TLS_CA_FLAG, TLS_CA_HELP)
    .action(async (resourceText: string, name: string, _opts: unknown, cmd: Command) => {
      const resource = parseResourceName(resourceText, ['dataset', 'dataload', 'runtime']);
      await withMaster(globalsOf(cmd), ctx.io, async (session) => {
        ctx.io.stdout.write(renderDescribe(resourceObject(await fetchResource(session, resource, name))));
      });
    });
}

// `eddy apply -f FILE` and `eddy delete -f FILE | KIND NAME`: manifests to and from the master.
import type { Command } from 'commander';
import { connectionFlags, type CommandContext } from '../command-context.js';
import { TLS_CA_FLAG, TLS_CA_HELP } from '../connection/cli-defaults.js';

export function registerApplyCommands(program: Command, ctx: CommandContext): void {
  program
    .command('apply')
    .description('create or update Secrets, Datasets, Runtimes and DataLoads from manifests')
    .requiredOption('-f, --filename <file>', 'manifest file (multi-document YAML); - for stdin')
    .option(TLS_CA_FLAG, TLS_CA_HELP)
    .action(async (opts: { filename: string }, cmd: Command) => {
      const { applyManifests } = await import('../actions/apply-action.js');
      for (const line of await applyManifests(ctx, connectionFlags(cmd), opts.filename)) ctx.io.stdout.write(`${line}\n`);
    });

  program
    .command('delete')
    .description('delete the objects of a manifest file, or one object by type and name')
    .argument('[resource]', 'dataset | runtime | dataload | secret')
    .argument('[name]', 'object name')
    .option('-f, --filename <file>', 'manifest file (multi-document YAML); - for stdin')
    .option(TLS_CA_FLAG, TLS_CA_HELP)
    .action(async (resource: string | undefined, name: string | undefined, opts: { filename?: string }, cmd: Command) => {
      await (await import('../actions/delete-action.js')).runDelete(ctx, connectionFlags(cmd), { resource, name, filename: opts.filename });
    });
}

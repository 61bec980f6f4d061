// `eddy load DATASET [--path P]… [--replicas N] [--load-metadata] [--wait]`: a one-off DataLoad
// without writing a manifest (it is one: a `policy: Once` DataLoad, visible in `get dataload`).
import type { Command } from 'commander';
import { stringify } from 'yaml';
import type { CommandContext } from '../command-context.js';
import { globalsOf } from '../command-context.js';
import { UsageError } from '../cli-error.js';
import { withMaster, CLI_RPC_TIMEOUT_MS, TLS_CA_FLAG, TLS_CA_HELP } from '../master-connection.js';
import { resourceLabel } from '../resource-kinds.js';
import { watchDataLoad } from './get-command.js';

interface LoadFlags {
  path: string[];
  replicas: string;
  name?: string;
  loadMetadata?: boolean;
  wait?: boolean;
}

export function dataLoadManifest(dataset: string, flags: LoadFlags, now = new Date()): { name: string; yaml: string } {
  const replicas = Number(flags.replicas);
  if (!Number.isSafeInteger(replicas) || replicas < 1) throw new UsageError(`--replicas must be a whole number of at least 1, got "${flags.replicas}"`);
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-').toLowerCase();
  const name = flags.name ?? `${dataset}-load-${stamp}`;
  const paths = flags.path.length ? flags.path : ['/'];
  const doc = {
    apiVersion: 'data.fluid.io/v1alpha1',
    kind: 'DataLoad',
    metadata: { name },
    spec: {
      dataset: { name: dataset, namespace: 'default' },
      policy: 'Once',
      ...(flags.loadMetadata ? { loadMetadata: true } : {}),
      target: paths.map((path) => ({ path, replicas })),
    },
  };
  return { name, yaml: stringify(doc) };
}

export function registerLoadCommand(program: Command, ctx: CommandContext): void {
  program
    .command('load')
    .description('load (part of) a dataset into the cache now: a Once DataLoad; --wait follows it with a progress bar')
    .argument('<dataset>', 'dataset name')
    .option(TLS_CA_FLAG, TLS_CA_HELP)
    .option('--path <path>', 'file or directory inside the dataset (repeatable; default /)', (v: string, prev: string[]) => [...prev, v], [])
    .option('--replicas <n>', 'workers that should hold each block', '1')
    .option('--name <name>', 'DataLoad name (default <dataset>-load-<time>)')
    .option('--load-metadata', 're-list the bucket first (new, changed, deleted objects)')
    .option('--wait', 'follow the load until it ends; exit 1 if it fails')
    .action(async (dataset: string, flags: LoadFlags, cmd: Command) => {
      const { name, yaml } = dataLoadManifest(dataset, flags);
      await withMaster(globalsOf(cmd), ctx.io, async (session) => {
        const res = await session.rpc.apply({ manifests: yaml }, { timeoutMs: CLI_RPC_TIMEOUT_MS });
        for (const r of res.results) ctx.io.stdout.write(`${resourceLabel(r.kind)}/${r.name} ${r.action}\n`);
        if (flags.wait) await watchDataLoad(ctx, session, name);
      });
    });
}

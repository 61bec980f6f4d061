// `eddy load DATASET`: builds the Once DataLoad, applies it, and with --wait follows it.
import { stringify } from 'yaml';
import type { CommandContext } from '../command-context.js';
import type { LoadFlags } from '../commands/load-command.js';
import { CLI_DEFAULTS } from '../connection/cli-defaults.js';
import { withMaster } from '../connection/master-session.js';
import type { ConnectionFlags } from '../connection/resolve-connection.js';
import { resourceLabel } from '../resource-kinds.js';
import { UsageError } from '../usage-error.js';
import { watchDataLoad } from './watch-dataload.js';

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

export async function runLoad(ctx: CommandContext, flags: ConnectionFlags, dataset: string, loadFlags: LoadFlags): Promise<void> {
  const { name, yaml } = dataLoadManifest(dataset, loadFlags);
  await withMaster(flags, ctx.io.env, async (session) => {
    const res = await session.rpc.apply({ manifests: yaml }, { timeoutMs: CLI_DEFAULTS.rpcTimeoutMs, signal: ctx.signal });
    for (const r of res.results) ctx.io.stdout.write(`${resourceLabel(r.kind)}/${r.name} ${r.action}\n`);
    if (loadFlags.wait) await watchDataLoad(ctx, session, name);
  });
}

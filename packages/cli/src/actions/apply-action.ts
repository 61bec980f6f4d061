// `eddy apply -f FILE`: the text goes to the master as written (it validates with the shared
// parser and answers with document positions); the CLI only makes relative file:// mount points
// absolute.
import type { CommandContext } from '../command-context.js';
import { CLI_DEFAULTS } from '../connection/cli-defaults.js';
import { withMaster } from '../connection/master-session.js';
import type { ConnectionFlags } from '../connection/resolve-connection.js';
import { readManifestInput, resolveRelativeFileUrls } from '../manifest-input.js';
import { resourceLabel } from '../resource-kinds.js';

/** Applies manifests; returns the kubectl-style lines (`dataset.data.fluid.io/demo created`). */
export async function applyManifests(ctx: CommandContext, flags: ConnectionFlags, file: string): Promise<string[]> {
  const input = await readManifestInput(file, ctx.io);
  const text = resolveRelativeFileUrls(input.text, input.baseDir);
  return await withMaster(flags, ctx.io.env, async (session) => {
    const res = await session.rpc.apply({ manifests: text }, { timeoutMs: CLI_DEFAULTS.rpcTimeoutMs, signal: ctx.signal });
    return res.results.map((r) => `${resourceLabel(r.kind)}/${r.name} ${r.action}`);
  });
}

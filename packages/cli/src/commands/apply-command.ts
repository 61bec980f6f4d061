// `eddy apply -f FILE` and `eddy delete -f FILE | KIND NAME`: manifests to and from the master.
// The text goes to the master as written (it validates with the shared parser and answers with
// document positions); the CLI only makes relative file:// mount points absolute.
import type { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { NotFoundError, ValidationError } from '@eddy/core';
import type { CommandContext } from '../command-context.js';
import { globalsOf } from '../command-context.js';
import { UsageError } from '../cli-error.js';
import { withMaster, CLI_RPC_TIMEOUT_MS, TLS_CA_FLAG, TLS_CA_HELP } from '../master-connection.js';
import { readManifestInput, resolveRelativeFileUrls } from '../manifest-input.js';
import { MASTER_KIND, parseResourceName, resourceLabel } from '../resource-kinds.js';

/** Applies manifests; returns the kubectl-style lines (`dataset.data.fluid.io/demo created`). */
export async function applyManifests(ctx: CommandContext, cmd: Command, file: string): Promise<string[]> {
  const input = await readManifestInput(file, ctx.io);
  const text = resolveRelativeFileUrls(input.text, input.baseDir);
  return await withMaster(globalsOf(cmd), ctx.io, async (session) => {
    const res = await session.rpc.apply({ manifests: text }, { timeoutMs: CLI_RPC_TIMEOUT_MS });
    return res.results.map((r) => `${resourceLabel(r.kind)}/${r.name} ${r.action}`);
  });
}

/** kind + name of every document, without full validation (so a stale manifest still deletes). */
export function documentRefs(text: string, source: string): { kind: string; name: string }[] {
  const refs: { kind: string; name: string }[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    if (doc.errors.length) throw new ValidationError(`${source}: document ${i}: ${doc.errors[0]!.message.split('\n')[0]}`, `documents[${i}]`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    const o = value as { kind?: unknown; metadata?: { name?: unknown } };
    if (typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') {
      throw new ValidationError(`${source}: document ${i}: needs kind and metadata.name`, `documents[${i}]`);
    }
    refs.push({ kind: o.kind, name: o.metadata.name });
  });
  return refs;
}

function masterKindOf(kind: string): string {
  return kind === 'JindoRuntime' || kind === 'AlluxioRuntime' ? MASTER_KIND.runtime : kind;
}

export function registerApplyCommands(program: Command, ctx: CommandContext): void {
  program
    .command('apply')
    .description('create or update Secrets, Datasets, Runtimes and DataLoads from manifests')
    .requiredOption('-f, --filename <file>', 'manifest file (multi-document YAML); - for stdin')
    .option(TLS_CA_FLAG, TLS_CA_HELP)
    .action(async (opts: { filename: string }, cmd: Command) => {
      for (const line of await applyManifests(ctx, cmd, opts.filename)) ctx.io.stdout.write(`${line}\n`);
    });

  program
    .command('delete')
    .description('delete the objects of a manifest file, or one object by type and name')
    .argument('[resource]', 'dataset | runtime | dataload | secret')
    .argument('[name]', 'object name')
    .option('-f, --filename <file>', 'manifest file (multi-document YAML); - for stdin')
    .option(TLS_CA_FLAG, TLS_CA_HELP)
    .action(async (resourceText: string | undefined, name: string | undefined, opts: { filename?: string }, cmd: Command) => {
      let refs: { kind: string; name: string }[];
      if (opts.filename) {
        if (resourceText) throw new UsageError('give either -f FILE or RESOURCE NAME, not both');
        const input = await readManifestInput(opts.filename, ctx.io);
        // Dependents first: a DataLoad before its Dataset, a Dataset before its Secret.
        refs = documentRefs(input.text, input.source).reverse();
      } else {
        if (!resourceText || !name) throw new UsageError('delete needs -f FILE, or RESOURCE and NAME');
        const resource = parseResourceName(resourceText, ['dataset', 'runtime', 'dataload', 'secret']);
        refs = [{ kind: MASTER_KIND[resource], name }];
      }
      await withMaster(globalsOf(cmd), ctx.io, async (session) => {
        const missing: string[] = [];
        for (const ref of refs) {
          const label = `${resourceLabel(ref.kind)} "${ref.name}"`;
          let deleted = false;
          try {
            deleted = (await session.rpc.delete({ kind: masterKindOf(ref.kind), name: ref.name }, { timeoutMs: CLI_RPC_TIMEOUT_MS })).deleted;
          } catch (err) {
            if (!(err instanceof NotFoundError)) throw err;
          }
          if (deleted) ctx.io.stdout.write(`${label} deleted\n`);
          else missing.push(label);
        }
        if (missing.length) throw new NotFoundError(`${missing.join(', ')} not found`);
      });
    });
}

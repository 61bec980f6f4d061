// `eddy delete -f FILE | KIND NAME`: deletes dependents first; objects that were not there are
// reported together at the end (exit 1), after everything else was deleted.
import { parseAllDocuments } from 'yaml';
import { NotFoundError, ValidationError } from '@eddy/core';
import type { CommandContext } from '../command-context.js';
import { CLI_DEFAULTS } from '../connection/cli-defaults.js';
import { withMaster } from '../connection/master-session.js';
import type { ConnectionFlags } from '../connection/resolve-connection.js';
import { readManifestInput } from '../manifest-input.js';
import { MASTER_KIND, parseResourceName, resourceLabel } from '../resource-kinds.js';
import { UsageError } from '../usage-error.js';

export interface DeleteArgs { resource: string | undefined; name: string | undefined; filename: string | undefined }
interface ObjectRef { kind: string; name: string }

/** kind + name of every document, without full validation (so a stale manifest still deletes). */
export function documentRefs(text: string, source: string): ObjectRef[] {
  const refs: ObjectRef[] = [];
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

async function refsOf(ctx: CommandContext, args: DeleteArgs): Promise<ObjectRef[]> {
  if (args.filename) {
    if (args.resource) throw new UsageError('give either -f FILE or RESOURCE NAME, not both');
    const input = await readManifestInput(args.filename, ctx.io);
    // Dependents first: a DataLoad before its Dataset, a Dataset before its Secret.
    return documentRefs(input.text, input.source).reverse();
  }
  if (!args.resource || !args.name) throw new UsageError('delete needs -f FILE, or RESOURCE and NAME');
  const resource = parseResourceName(args.resource, ['dataset', 'runtime', 'dataload', 'secret']);
  return [{ kind: MASTER_KIND[resource], name: args.name }];
}

export async function runDelete(ctx: CommandContext, flags: ConnectionFlags, args: DeleteArgs): Promise<void> {
  const refs = await refsOf(ctx, args);
  await withMaster(flags, ctx.io.env, async (session) => {
    const missing: string[] = [];
    for (const ref of refs) {
      const label = `${resourceLabel(ref.kind)} "${ref.name}"`;
      let deleted = false;
      try {
        const res = await session.rpc.delete({ kind: masterKindOf(ref.kind), name: ref.name }, { timeoutMs: CLI_DEFAULTS.rpcTimeoutMs, signal: ctx.signal });
        deleted = res.deleted;
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
      if (deleted) ctx.io.stdout.write(`${label} deleted\n`);
      else missing.push(label);
    }
    if (missing.length) throw new NotFoundError(`${missing.join(', ')} not found`);
  });
}

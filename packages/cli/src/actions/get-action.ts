// `eddy get dataset|runtime|dataload|worker|secret [NAME] [-o wide|json|yaml] [-w]`.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandContext } from '../command-context.js';
import { CLI_DEFAULTS } from '../connection/cli-defaults.js';
import { withMaster, type MasterSession } from '../connection/master-session.js';
import type { ConnectionFlags } from '../connection/resolve-connection.js';
import {
  headersFor, renderListing, renderStructured, rowsFor, type ListingTableOptions, type OutputFormat,
} from '../output/render-listing.js';
import { renderTable } from '../output/render-table.js';
import type { ResourceName } from '../resource-kinds.js';
import { UsageError } from '../usage-error.js';
import { fetchListing } from './fetch-listing.js';
import { watchDataLoad } from './watch-dataload.js';

export interface GetArgs {
  resource: ResourceName;
  name: string | undefined;
  format: OutputFormat;
  watch: boolean;
  headers: boolean;
}

/** Indexes of age columns other than the last (dataload: AGE, and LAST SCHEDULE/SUCCESS when wide). */
function ageColumns(resource: ResourceName, wide: boolean): number[] {
  return resource === 'dataload' ? (wide ? [3, 7, 8] : [3]) : [];
}

/** `get KIND [NAME] -w` for tables: prints the table, then a row whenever one changes. */
async function watchTable(ctx: CommandContext, session: MasterSession, args: GetArgs, options: ListingTableOptions): Promise<void> {
  const { resource, name } = args;
  const headers = headersFor(resource, options.wide);
  const ignore = ageColumns(resource, options.wide);
  const seen = new Map<string, string>();
  let first = true;
  while (!ctx.signal.aborted) {
    const listing = await fetchListing(session, resource, name, ctx.signal).catch((err: unknown) => {
      if (ctx.signal.aborted) return undefined;
      throw err;
    });
    if (!listing) return;
    const rows = rowsFor(listing, options);
    const changed = rows.filter((r) => {
      // Ages change every second; a row is new when anything else changed.
      const key = r[0] ?? '';
      const sig = JSON.stringify(r.filter((_c, i) => !ignore.includes(i) && !(i === r.length - 1 && resource !== 'dataload')));
      if (seen.get(key) === sig) return false;
      seen.set(key, sig);
      return true;
    });
    if (first) ctx.io.stdout.write(renderTable(headers, rows, options));
    else if (changed.length) ctx.io.stdout.write(renderTable(headers, changed, { ...options, noHeaders: true }));
    first = false;
    await sleep(CLI_DEFAULTS.watchIntervalMs, undefined, { signal: ctx.signal }).catch(() => undefined);
  }
}

export async function runGet(ctx: CommandContext, flags: ConnectionFlags, args: GetArgs): Promise<void> {
  const { resource, name, format } = args;
  const options: ListingTableOptions = { wide: format === 'wide', noHeaders: !args.headers };
  await withMaster(flags, ctx.io.env, async (session) => {
    if (args.watch) {
      if (format === 'json' || format === 'yaml') throw new UsageError('-w prints tables or progress; use it without -o json|yaml');
      if (resource === 'dataload' && name) return await watchDataLoad(ctx, session, name);
      return await watchTable(ctx, session, args, options);
    }
    const listing = await fetchListing(session, resource, name, ctx.signal);
    if (format === 'json' || format === 'yaml') {
      ctx.io.stdout.write(await renderStructured(listing, name !== undefined, format));
    } else if (listing.items.length === 0) {
      ctx.io.stderr.write(`No ${resource}s found.\n`);
    } else {
      ctx.io.stdout.write(renderListing(listing, options));
    }
    return undefined;
  });
}

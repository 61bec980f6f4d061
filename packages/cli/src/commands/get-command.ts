// `eddy get dataset|runtime|dataload|worker [NAME] [-o wide|json|yaml] [-w]`.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { NotFoundError } from '@eddy/core';
import { type proto } from '@eddy/protocol';
import type { CommandContext } from '../command-context.js';
import { globalsOf } from '../command-context.js';
import { UsageError } from '../cli-error.js';
import { withMaster, CLI_RPC_TIMEOUT_MS, type MasterSession, TLS_CA_FLAG, TLS_CA_HELP } from '../master-connection.js';
import { MASTER_KIND, parseResourceName, type ResourceName } from '../resource-kinds.js';
import { resourceObject } from '../output/resource-object.js';
import {
  DATALOAD_HEADERS, DATALOAD_WIDE_HEADERS, DATASET_HEADERS, DATASET_WIDE_HEADERS, RUNTIME_HEADERS, SECRET_HEADERS, WORKER_HEADERS, WORKER_WIDE_HEADERS,
  dataLoadRow, datasetRow, runtimeRow, secretRow, workerRow,
} from '../output/resource-tables.js';
import { renderTable } from '../output/render-table.js';
import { RateMeter, renderProgressBar, renderProgressLine, type LoadProgress } from '../output/progress-bar.js';

export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml';

export function parseOutputFormat(text: string | undefined): OutputFormat {
  if (text === undefined) return 'table';
  if (text === 'wide' || text === 'json' || text === 'yaml') return text;
  throw new UsageError(`-o must be one of wide, json, yaml; got "${text}"`);
}

/** What one `eddy get` poll returned: the master's Resources, or workers from ListWorkers. */
export type Listing =
  | { resource: 'worker'; items: proto.WorkerStatus__Output[] }
  | { resource: Exclude<ResourceName, 'worker'>; items: proto.Resource__Output[] };

/** Objects of one resource type from the master (workers come from ListWorkers). */
export async function fetchListing(session: MasterSession, resource: ResourceName, name: string | undefined, signal?: AbortSignal): Promise<Listing> {
  const opts = { timeoutMs: CLI_RPC_TIMEOUT_MS, ...(signal ? { signal } : {}) };
  if (resource === 'worker') {
    const res = await session.rpc.listWorkers({ runtime: '' }, opts);
    const workers = res.workers.filter((w) => !name || w.address?.workerId === name);
    if (name && workers.length === 0) throw new NotFoundError(`worker "${name}" not found`);
    return { resource, items: workers };
  }
  let res;
  try {
    res = await session.rpc.get({ kind: MASTER_KIND[resource], name: name ?? '' }, opts);
  } catch (err) {
    if (name && err instanceof NotFoundError) throw new NotFoundError(`${resource} "${name}" not found`, { cause: err });
    throw err;
  }
  if (name && res.resources.length === 0) throw new NotFoundError(`${resource} "${name}" not found`);
  return { resource, items: res.resources };
}

/** One named object (describe, watching a DataLoad). */
export async function fetchResource(session: MasterSession, resource: Exclude<ResourceName, 'worker'>, name: string, signal?: AbortSignal): Promise<proto.Resource__Output> {
  const listing = await fetchListing(session, resource, name, signal);
  return listing.items[0] as proto.Resource__Output;
}

interface RenderOptions { wide: boolean; noHeaders?: boolean; now?: number }

function headersFor(resource: ResourceName, wide: boolean): readonly string[] {
  switch (resource) {
    case 'dataset': return wide ? DATASET_WIDE_HEADERS : DATASET_HEADERS;
    case 'dataload': return wide ? DATALOAD_WIDE_HEADERS : DATALOAD_HEADERS;
    case 'runtime': return RUNTIME_HEADERS;
    case 'worker': return wide ? WORKER_WIDE_HEADERS : WORKER_HEADERS;
    case 'secret': return SECRET_HEADERS;
  }
}

function rowsFor(listing: Listing, options: RenderOptions): string[][] {
  switch (listing.resource) {
    case 'worker': return listing.items.map((w) => workerRow(w, options));
    case 'dataset': return listing.items.map((r) => datasetRow(r, options));
    case 'dataload': return listing.items.map((r) => dataLoadRow(r, options));
    case 'runtime': return listing.items.map((r) => runtimeRow(r, options));
    case 'secret': return listing.items.map((r) => secretRow(r));
  }
}

export function renderListing(listing: Listing, options: RenderOptions): string {
  return renderTable(headersFor(listing.resource, options.wide), rowsFor(listing, options), options);
}

/** JSON/YAML output: one object when NAME was given, else a kubectl-style List. */
export function renderStructured(listing: Listing, single: boolean, format: 'json' | 'yaml'): string {
  const objects: unknown[] = listing.resource === 'worker' ? listing.items : listing.items.map(resourceObject);
  const value = single ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects };
  return format === 'json' ? JSON.stringify(value, null, 2) + '\n' : stringify(value);
}

function progressOf(r: proto.Resource__Output): LoadProgress {
  const s = r.dataload?.status;
  const p = s?.progress;
  return {
    name: r.metadata?.name ?? '',
    phase: s?.phase || 'Pending',
    filesDone: p?.filesDone ?? 0,
    filesTotal: p?.filesTotal ?? 0,
    bytesDone: p?.bytesDone ?? 0,
    bytesTotal: p?.bytesTotal ?? 0,
  };
}

const WATCH_INTERVAL_MS = 1_000;
// A progress bar redraws more often than a table reprints.
const PROGRESS_INTERVAL_MS = 500;

/**
 * `get dataload NAME -w`: follows the load. A Once load ends the command when it finishes
 * (exit 1 if Failed); a Cron load is followed across runs until Ctrl-C.
 */
export async function watchDataLoad(ctx: CommandContext, session: MasterSession, name: string): Promise<void> {
  const out = ctx.io.stdout;
  const meter = new RateMeter();
  let lastLine = '';
  let drewBar = false;
  try {
    while (!ctx.signal.aborted) {
      const load = await fetchResource(session, 'dataload', name, ctx.signal);
      const p = progressOf(load);
      const now = Date.now();
      meter.add(now, p.bytesDone);
      if (out.isTTY) {
        out.write(`\r\x1b[2K${renderProgressBar(p, meter.rate(), out.columns ?? 80)}`);
        drewBar = true;
      } else {
        const line = renderProgressLine(p, undefined);
        if (line !== lastLine) out.write(`${renderProgressLine(p, meter.rate())}\n`);
        lastLine = line;
      }
      const finished = p.phase === 'Complete' || p.phase === 'Failed';
      if (load.dataload?.policy !== 'Cron' && finished) {
        if (p.phase === 'Failed') {
          const reason = load.dataload?.status?.conditions.find((c) => c.type === 'Failed')?.message;
          if (drewBar) out.write('\n');
          drewBar = false;
          ctx.io.stderr.write(`eddy: dataload ${name} failed${reason ? `: ${reason}` : ''}\n`);
          ctx.exitCode = 1;
        }
        return;
      }
      await sleep(PROGRESS_INTERVAL_MS, undefined, { signal: ctx.signal }).catch(() => undefined);
    }
  } finally {
    if (drewBar) out.write('\n');
  }
}

/** Indexes of age columns other than the last (dataload: AGE, and LAST SCHEDULE/SUCCESS when wide). */
function ageColumns(resource: ResourceName, wide: boolean): number[] {
  return resource === 'dataload' ? (wide ? [3, 7, 8] : [3]) : [];
}

/** `get KIND [NAME] -w` for tables: prints the table, then a row whenever one changes. */
async function watchTable(ctx: CommandContext, session: MasterSession, resource: ResourceName, name: string | undefined, options: RenderOptions): Promise<void> {
  const seen = new Map<string, string>();
  let first = true;
  while (!ctx.signal.aborted) {
    const listing = await fetchListing(session, resource, name, ctx.signal);
    const rows = rowsFor(listing, options);
    const changed = rows.filter((r) => {
      // Ages change every second; a row is new when anything else changed.
      const key = r[0] ?? '';
      const ignore = ageColumns(resource, options.wide);
      const sig = JSON.stringify(r.filter((_c, i) => !ignore.includes(i) && !(i === r.length - 1 && resource !== 'dataload')));
      if (seen.get(key) === sig) return false;
      seen.set(key, sig);
      return true;
    });
    if (first) ctx.io.stdout.write(renderTable(headersFor(resource, options.wide), rows, options));
    else if (changed.length) ctx.io.stdout.write(renderTable(headersFor(resource, options.wide), changed, { ...options, noHeaders: true }));
    first = false;
    await sleep(WATCH_INTERVAL_MS, undefined, { signal: ctx.signal }).catch(() => undefined);
  }
}

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
    .action(async (resourceText: string, name: string | undefined, opts: { output?: string; watch?: boolean; headers: boolean }, cmd: Command) => {
      const resource = parseResourceName(resourceText, ['dataset', 'runtime', 'dataload', 'worker', 'secret']);
      const format = parseOutputFormat(opts.output);
      await withMaster(globalsOf(cmd), ctx.io, async (session) => {
        if (opts.watch) {
          if (format === 'json' || format === 'yaml') throw new UsageError('-w prints tables or progress; use it without -o json|yaml');
          if (resource === 'dataload' && name) return await watchDataLoad(ctx, session, name);
          return await watchTable(ctx, session, resource, name, { wide: format === 'wide', noHeaders: !opts.headers });
        }
        const listing = await fetchListing(session, resource, name);
        if (format === 'json' || format === 'yaml') {
          ctx.io.stdout.write(renderStructured(listing, name !== undefined, format));
        } else if (listing.items.length === 0) {
          ctx.io.stderr.write(`No ${resource}s found.\n`);
        } else {
          ctx.io.stdout.write(renderListing(listing, { wide: format === 'wide', noHeaders: !opts.headers }));
        }
        return undefined;
      });
    });
}

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
import { parseObjectJson, datasetView, dataLoadView, runtimeView } from '../output/resource-views.js';
import { datasetTable, dataLoadTable, runtimeTable, workerTable, datasetRow, dataLoadRow, runtimeRow, workerRow } from '../output/resource-tables.js';
import { renderTable } from '../output/render-table.js';
import { RateMeter, renderProgressBar, renderProgressLine, type LoadProgress } from '../output/progress-bar.js';

export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml';

export function parseOutputFormat(text: string | undefined): OutputFormat {
  if (text === undefined) return 'table';
  if (text === 'wide' || text === 'json' || text === 'yaml') return text;
  throw new UsageError(`-o must be one of wide, json, yaml; got "${text}"`);
}

/** Objects of one resource type from the master (workers come from ListWorkers). */
export async function fetchObjects(session: MasterSession, resource: ResourceName, name: string | undefined, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
  const opts = { timeoutMs: CLI_RPC_TIMEOUT_MS, ...(signal ? { signal } : {}) };
  if (resource === 'worker') {
    const res = await session.rpc.listWorkers({ runtime: '' }, opts);
    const workers = res.workers.filter((w) => !name || w.address?.workerId === name);
    if (name && workers.length === 0) throw new NotFoundError(`worker "${name}" not found`);
    return workers as unknown as Record<string, unknown>[];
  }
  let res;
  try {
    res = await session.rpc.get({ kind: MASTER_KIND[resource], name: name ?? '' }, opts);
  } catch (err) {
    if (name && err instanceof NotFoundError) throw new NotFoundError(`${resource} "${name}" not found`, { cause: err });
    throw err;
  }
  const objects = res.objectsJson.map(parseObjectJson);
  if (name && objects.length === 0) throw new NotFoundError(`${resource} "${name}" not found`);
  return objects;
}

interface RenderOptions { wide: boolean; noHeaders?: boolean; now?: number }

export function renderTableFor(resource: ResourceName, objects: Record<string, unknown>[], options: RenderOptions): string {
  switch (resource) {
    case 'dataset': return datasetTable(objects.map((o) => datasetView.parse(o)), options);
    case 'dataload': return dataLoadTable(objects.map((o) => dataLoadView.parse(o)), options);
    case 'runtime': return runtimeTable(objects.map((o) => runtimeView.parse(o)), options);
    case 'worker': return workerTable(objects as unknown as proto.WorkerStatus__Output[], options);
    case 'secret': return renderTable(['NAME'], objects.map((o) => [String((o.metadata as { name?: string } | undefined)?.name ?? '')]), options);
  }
}

function rowsFor(resource: ResourceName, objects: Record<string, unknown>[], options: RenderOptions): string[][] {
  switch (resource) {
    case 'dataset': return objects.map((o) => datasetRow(datasetView.parse(o), options));
    case 'dataload': return objects.map((o) => dataLoadRow(dataLoadView.parse(o), options));
    case 'runtime': return objects.map((o) => runtimeRow(runtimeView.parse(o), options));
    case 'worker': return objects.map((o) => workerRow(o as unknown as proto.WorkerStatus__Output, options));
    case 'secret': return objects.map((o) => [String((o.metadata as { name?: string } | undefined)?.name ?? '')]);
  }
}

/** JSON/YAML output: one object when NAME was given, else a kubectl-style List. */
export function renderStructured(objects: Record<string, unknown>[], single: boolean, format: 'json' | 'yaml'): string {
  const value = single ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects };
  return format === 'json' ? JSON.stringify(value, null, 2) + '\n' : stringify(value);
}

function progressOf(o: Record<string, unknown>): LoadProgress {
  const v = dataLoadView.parse(o);
  const p = v.status?.progress;
  return {
    name: v.metadata.name,
    phase: v.status?.phase ?? 'Pending',
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
      const [obj] = await fetchObjects(session, 'dataload', name, ctx.signal);
      const view = dataLoadView.parse(obj);
      const p = progressOf(obj!);
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
      if (view.spec?.policy !== 'Cron' && finished) {
        if (p.phase === 'Failed') {
          const reason = view.status?.conditions?.find((c) => c.type === 'Failed')?.message;
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
    const objects = await fetchObjects(session, resource, name, ctx.signal);
    const rows = rowsFor(resource, objects, options);
    const changed = rows.filter((r) => {
      // Ages change every second; a row is new when anything else changed.
      const key = r[0] ?? '';
      const ignore = ageColumns(resource, options.wide);
      const sig = JSON.stringify(r.filter((_c, i) => !ignore.includes(i) && !(i === r.length - 1 && resource !== 'dataload')));
      if (seen.get(key) === sig) return false;
      seen.set(key, sig);
      return true;
    });
    if (first) ctx.io.stdout.write(renderTableFor(resource, objects, options));
    else if (changed.length) ctx.io.stdout.write(renderTableFor(resource, objects.filter((_o, i) => changed.includes(rows[i]!)), { ...options, noHeaders: true }));
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
        const objects = await fetchObjects(session, resource, name);
        if (format === 'json' || format === 'yaml') {
          ctx.io.stdout.write(renderStructured(objects, name !== undefined, format));
        } else if (objects.length === 0) {
          ctx.io.stderr.write(`No ${resource}s found.\n`);
        } else {
          ctx.io.stdout.write(renderTableFor(resource, objects, { wide: format === 'wide', noHeaders: !opts.headers }));
        }
        return undefined;
      });
    });
}

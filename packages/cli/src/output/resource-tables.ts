// `eddy get` tables. Columns and formats follow the seed (Fluid's kubectl output):
//   NAME  UFS TOTAL SIZE  CACHED  CACHE CAPACITY  CACHED PERCENTAGE  PHASE  AGE
//   NAME  DATASET  PHASE  AGE  DURATION
// Sizes come from the exact byte counts when the master sends them (formatted here so every
// table agrees), else from Fluid's preformatted strings.
import type { proto } from '@eddy/protocol';
import { renderTable, NONE } from './render-table.js';
import { formatBytes, formatPercent, formatAge } from '@eddy/core';
import type { DataLoadView, DatasetView, RuntimeView } from './resource-views.js';

export interface TableOptions {
  wide?: boolean;
  noHeaders?: boolean;
  /** Clock for AGE; injectable for tests. */
  now?: number;
}

const or = (v: string | undefined): string => (v === undefined || v === '' ? NONE : v);

function age(creationTimestamp: string | undefined, now: number): string {
  if (!creationTimestamp) return NONE;
  const t = Date.parse(creationTimestamp);
  return Number.isFinite(t) ? formatAge(now - t) : NONE;
}

export const DATASET_HEADERS = ['NAME', 'UFS TOTAL SIZE', 'CACHED', 'CACHE CAPACITY', 'CACHED PERCENTAGE', 'PHASE', 'AGE'] as const;
export const DATASET_WIDE_HEADERS = ['NAME', 'UFS TOTAL SIZE', 'CACHED', 'CACHE CAPACITY', 'CACHED PERCENTAGE', 'PHASE', 'TOTAL FILES', 'CACHE HIT RATIO', 'AGE'] as const;

function hitRatio(c: NonNullable<NonNullable<DatasetView['status']>['cacheStates']> | undefined): string {
  if (c?.cacheHitRatioPercentage) return c.cacheHitRatioPercentage;
  if (typeof c?.cacheHitRatio === 'number') return formatPercent(c.cacheHitRatio, 1);
  return or(c?.cacheHitRatio);
}

export function datasetRow(d: DatasetView, options: TableOptions = {}): string[] {
  const now = options.now ?? Date.now();
  const s = d.status;
  const c = s?.cacheStates;
  const total = s?.ufsTotalBytes;
  const cached = c?.cachedBytes;
  const capacity = c?.cacheCapacityBytes;
  const percent = total !== undefined && cached !== undefined ? formatPercent(cached, total) : c?.cachedPercentage;
  const row = [
    d.metadata.name,
    total !== undefined ? formatBytes(total) : or(s?.ufsTotal),
    cached !== undefined ? formatBytes(cached) : or(c?.cached),
    capacity !== undefined ? formatBytes(capacity) : or(c?.cacheCapacity),
    or(percent),
    or(s?.phase),
  ];
  if (options.wide) row.push(s?.fileNum === undefined ? NONE : String(s.fileNum), hitRatio(c));
  row.push(age(d.metadata.creationTimestamp, now));
  return row;
}

export function datasetTable(items: DatasetView[], options: TableOptions = {}): string {
  return renderTable(options.wide ? DATASET_WIDE_HEADERS : DATASET_HEADERS, items.map((d) => datasetRow(d, options)), options);
}

export const DATALOAD_HEADERS = ['NAME', 'DATASET', 'PHASE', 'AGE', 'DURATION'] as const;
export const DATALOAD_WIDE_HEADERS = ['NAME', 'DATASET', 'PHASE', 'AGE', 'DURATION', 'POLICY', 'SCHEDULE', 'LAST SCHEDULE', 'LAST SUCCESS'] as const;

export function dataLoadRow(l: DataLoadView, options: TableOptions = {}): string[] {
  const now = options.now ?? Date.now();
  const row = [
    l.metadata.name,
    or(l.spec?.dataset?.name),
    or(l.status?.phase),
    age(l.metadata.creationTimestamp, now),
    or(l.status?.duration),
  ];
  if (options.wide) {
    row.push(or(l.spec?.policy), or(l.spec?.schedule), age(l.status?.lastScheduleTime, now), age(l.status?.lastSuccessfulTime, now));
  }
  return row;
}

export function dataLoadTable(items: DataLoadView[], options: TableOptions = {}): string {
  return renderTable(options.wide ? DATALOAD_WIDE_HEADERS : DATALOAD_HEADERS, items.map((l) => dataLoadRow(l, options)), options);
}

export const RUNTIME_HEADERS = ['NAME', 'KIND', 'WORKERS', 'TIERS', 'CACHE CAPACITY', 'PHASE', 'AGE'] as const;

export function runtimeRow(r: RuntimeView, options: TableOptions = {}): string[] {
  const now = options.now ?? Date.now();
  const levels = r.spec?.tieredstore?.levels ?? [];
  const tiers = levels.map((l) => `${l.mediumtype ?? '?'}:${typeof l.quota === 'number' ? formatBytes(l.quota) : (l.quota ?? '?')}`).join(',');
  const live = r.status?.liveWorkers;
  const desired = r.status?.desiredWorkers ?? r.spec?.replicas;
  const workers = live !== undefined && desired !== undefined ? `${live}/${desired}` : desired !== undefined ? String(desired) : NONE;
  // Fluid's runtime phases: all workers up → Ready, some → PartialReady, none → NotReady.
  const phase = r.status?.phase ?? (live === undefined || desired === undefined ? undefined : live >= desired ? 'Ready' : live > 0 ? 'PartialReady' : 'NotReady');
  const capacity = r.status?.cacheCapacityBytes;
  return [r.metadata.name, or(r.kind), workers, or(tiers), capacity === undefined ? NONE : formatBytes(capacity), or(phase), age(r.metadata.creationTimestamp, now)];
}

export function runtimeTable(items: RuntimeView[], options: TableOptions = {}): string {
  return renderTable(RUNTIME_HEADERS, items.map((r) => runtimeRow(r, options)), options);
}

export const WORKER_HEADERS = ['NAME', 'RUNTIME', 'ADDRESS', 'LIVE', 'BLOCKS', 'USED', 'CAPACITY', 'LAST HEARTBEAT'] as const;
export const WORKER_WIDE_HEADERS = [...WORKER_HEADERS, 'HITS', 'MISSES', 'TIERS'] as const;

export function workerRow(w: proto.WorkerStatus__Output, options: TableOptions = {}): string[] {
  const now = options.now ?? Date.now();
  const used = w.tiers.reduce((a, t) => a + Number(t.usedBytes), 0);
  const quota = w.tiers.reduce((a, t) => a + Number(t.quotaBytes), 0);
  const last = Number(w.lastHeartbeatMs);
  const row = [
    or(w.address?.workerId),
    or(w.runtime),
    or(w.address?.dataAddress),
    w.live ? 'true' : 'false',
    String(w.blockCount),
    formatBytes(used),
    formatBytes(quota),
    last > 0 ? `${formatAge(now - last)} ago` : NONE,
  ];
  if (options.wide) {
    row.push(String(w.counters?.hits ?? 0), String(w.counters?.misses ?? 0), or(w.tiers.map((t) => `${t.medium}:${t.path}`).join(',')));
  }
  return row;
}

export function workerTable(items: proto.WorkerStatus__Output[], options: TableOptions = {}): string {
  return renderTable(options.wide ? WORKER_WIDE_HEADERS : WORKER_HEADERS, items.map((w) => workerRow(w, options)), options);
}

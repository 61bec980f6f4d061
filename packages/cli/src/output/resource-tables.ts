// `eddy get` tables from the master's typed Resources. Columns and formats follow the seed
// (Fluid's kubectl output):
//   NAME  UFS TOTAL SIZE  CACHED  CACHE CAPACITY  CACHED PERCENTAGE  PHASE  AGE
//   NAME  DATASET  PHASE  AGE  DURATION
// Sizes are formatted here from the exact byte counts, so every table agrees.
import type { proto } from '@eddy/protocol/rpc';
import { formatAge, formatBytes, formatPercent } from '@eddy/core';
import { renderTable, NONE } from './render-table.js';

export interface TableOptions {
  wide?: boolean;
  noHeaders?: boolean;
  /** Clock for AGE; injectable for tests. */
  now?: number;
}

const or = (v: string | undefined): string => (v === undefined || v === '' ? NONE : v);

/** AGE of a Unix-ms time; `<none>` for unset (0). */
function age(ms: number | undefined, now: number): string {
  return ms ? formatAge(now - ms) : NONE;
}

const nameOf = (r: proto.Resource__Output): string => r.metadata?.name ?? '';
const createdOf = (r: proto.Resource__Output): number | undefined => r.metadata?.creationTimeMs;

export const DATASET_HEADERS = ['NAME', 'UFS TOTAL SIZE', 'CACHED', 'CACHE CAPACITY', 'CACHED PERCENTAGE', 'PHASE', 'AGE'] as const;
export const DATASET_WIDE_HEADERS = ['NAME', 'UFS TOTAL SIZE', 'CACHED', 'CACHE CAPACITY', 'CACHED PERCENTAGE', 'PHASE', 'TOTAL FILES', 'CACHE HIT RATIO', 'SOURCE', 'AGE'] as const;

export function datasetRow(r: proto.Resource__Output, options: TableOptions = {}): string[] {
  const now = options.now ?? Date.now();
  const s = r.dataset?.status;
  const row = [
    nameOf(r),
    s ? formatBytes(s.ufsTotalBytes) : NONE,
    s ? formatBytes(s.cachedBytes) : NONE,
    s ? formatBytes(s.cacheCapacityBytes) : NONE,
    s ? formatPercent(s.cachedBytes, s.ufsTotalBytes) : NONE,
    or(s?.phase),
  ];
  if (options.wide) row.push(s ? String(s.fileNum) : NONE, or(s?.cacheHitRatioPercentage), s ? s.source || 'bucket' : NONE);
  row.push(age(createdOf(r), now));
  return row;
}

export function datasetTable(items: proto.Resource__Output[], options: TableOptions = {}): string {
  return renderTable(options.wide ? DATASET_WIDE_HEADERS : DATASET_HEADERS, items.map((d) => datasetRow(d, options)), options);
}

export const DATALOAD_HEADERS = ['NAME', 'DATASET', 'PHASE', 'AGE', 'DURATION'] as const;
export const DATALOAD_WIDE_HEADERS = ['NAME', 'DATASET', 'PHASE', 'AGE', 'DURATION', 'POLICY', 'SCHEDULE', 'LAST SCHEDULE', 'LAST SUCCESS'] as const;

export function dataLoadRow(r: proto.Resource__Output, options: TableOptions = {}): string[] {
  const now = options.now ?? Date.now();
  const l = r.dataload;
  const row = [nameOf(r), or(l?.dataset), or(l?.status?.phase), age(createdOf(r), now), or(l?.status?.duration)];
  if (options.wide) {
    row.push(or(l?.policy), or(l?.schedule), age(l?.status?.lastScheduleTimeMs, now), age(l?.status?.lastSuccessfulTimeMs, now));
  }
  return row;
}

export function dataLoadTable(items: proto.Resource__Output[], options: TableOptions = {}): string {
  return renderTable(options.wide ? DATALOAD_WIDE_HEADERS : DATALOAD_HEADERS, items.map((l) => dataLoadRow(l, options)), options);
}

export const RUNTIME_HEADERS = ['NAME', 'KIND', 'WORKERS', 'TIERS', 'CACHE CAPACITY', 'PHASE', 'AGE'] as const;

export function runtimeRow(r: proto.Resource__Output, options: TableOptions = {}): string[] {
  const now = options.now ?? Date.now();
  const rt = r.runtime;
  const tiers = (rt?.tiers ?? []).map((t) => `${t.medium}:${formatBytes(t.quotaBytes)}`).join(',');
  const live = rt?.status?.liveWorkers;
  const desired = rt?.status?.desiredWorkers ?? rt?.replicas;
  const workers = live !== undefined && desired !== undefined ? `${live}/${desired}` : desired !== undefined ? String(desired) : NONE;
  // Fluid's runtime phases: all workers up → Ready, some → PartialReady, none → NotReady.
  const phase = live === undefined || desired === undefined ? undefined
    : live >= desired ? 'Ready' : live > 0 ? 'PartialReady' : 'NotReady';
  const capacity = rt?.status?.cacheCapacityBytes;
  const cacheCapacity = capacity === undefined ? NONE : formatBytes(capacity);
  return [nameOf(r), or(r.kind), workers, or(tiers), cacheCapacity, or(phase), age(createdOf(r), now)];
}

export function runtimeTable(items: proto.Resource__Output[], options: TableOptions = {}): string {
  return renderTable(RUNTIME_HEADERS, items.map((r) => runtimeRow(r, options)), options);
}

export const SECRET_HEADERS = ['NAME'] as const;

export function secretRow(r: proto.Resource__Output): string[] {
  return [nameOf(r)];
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

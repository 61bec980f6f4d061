// The goals the bench is held to (issue 17, and issue 7's that still stand), each computed from
// the figures of one run and reported met / not met / not measured, always with the reason: the
// measured ratio, or why there is no figure (workload or target not in the run, or no workload yet).
import type { Goal, Metric, WorkloadResult } from './results.js';

function find(ws: WorkloadResult[], name: string, labelStart: string): Metric | undefined {
  return ws.find((w) => w.name === name)?.metrics.find((m) => m.label.startsWith(labelStart));
}

function v(m: Metric | undefined, col: string): number | null {
  return m?.values[col] ?? null;
}

function maxOf(...xs: (number | null)[]): number | null {
  const ok = xs.filter((x): x is number => x != null);
  return ok.length ? Math.max(...ok) : null;
}

const r2 = (x: number): number => Math.round(x * 100) / 100;

/** A floor measured beside a goal: `by` names the ideal pipeline, `ratio` is its figure over the goal's reference. */
export interface FloorFigure { by: string; ratio: number | null }

function floorText(fl: FloorFigure, target: number): string {
  if (fl.ratio == null) return `floor (${fl.by}) not measured`;
  return fl.ratio < target
    ? `floor: ${fl.by} reaches only ${fl.ratio}×, so the goal is out of reach for a client of this shape on this machine`
    : `floor: ${fl.by} reaches ${fl.ratio}×, so the gap is the client's own overhead`;
}

/** A goal from a ratio (higher is better); `missing` says why there is no ratio when it is null. */
export function goal(issue: string, goalText: string, target: number, ratio: number | null, measured: string, missing: string, why = '',
  floor?: FloorFigure): Goal {
  const rounded = ratio == null || !Number.isFinite(ratio) ? null : r2(ratio);
  const met = rounded == null ? null : rounded >= target;
  const fl = floor && { by: floor.by, ratio: floor.ratio == null || !Number.isFinite(floor.ratio) ? null : r2(floor.ratio) };
  const reason = rounded == null ? `not measured: ${missing}`
    : `${met ? 'met' : 'not met'}: ${rounded}× against ${target}×${why ? `; ${why}` : ''}${fl && !met ? `; ${floorText(fl, target)}` : ''}`;
  return { issue, goal: goalText, target, ratio: rounded, measured, met, why: reason, ...(fl ? { floor: fl } : {}) };
}

/** The floor beside a goal, only when the run measured the floor's column. */
function floorOf(by: string, value: number | null, reference: number | null): FloorFigure | undefined {
  return value == null ? undefined : { by, ratio: ratioOf(value, reference) };
}

/** A goal whose workload does not exist yet: always "not measured", with the reason. */
function notYet(issue: string, goalText: string, target: number, reason: string): Goal {
  return { issue, goal: goalText, target, ratio: null, measured: '—', met: null, why: `not measured: ${reason}` };
}

const f = (x: number | null): string => (x == null ? '—' : String(x));

/** The floor of the cold and first-read goals (bench/s3-passthrough-fs.ts): the bucket through FUSE, no cache, no Eddy code. */
const PASSTHROUGH = 's3-passthrough';

function workloadMissing(ws: WorkloadResult[], name: string, cols: string[]): string {
  if (!ws.some((w) => w.name === name)) return `workload ${name} not in this run`;
  return `a figure is missing (${cols.join(', ')}: see Errors, or the target was not selected)`;
}

/** Higher-is-better ratio a/b, or null. */
function ratioOf(a: number | null, b: number | null): number | null {
  return a != null && b ? a / b : null;
}

function smallFileGoals(ws: WorkloadResult[]): Goal[] {
  const out: Goal[] = [];
  const miss = workloadMissing(ws, 'small-files', ['eddy', 's3fs']);
  const r1 = find(ws, 'small-files', 'read all, 8 readers, first');
  const pt1 = v(r1, PASSTHROUGH);
  out.push(goal('17', 'small files, first read (8 readers) ≥ 1.5 × s3fs', 1.5, ratioOf(v(r1, 'eddy'), v(r1, 's3fs')),
    `Eddy ${f(v(r1, 'eddy'))} files/s, s3fs ${f(v(r1, 's3fs'))} files/s${pt1 == null ? '' : `, floor ${PASSTHROUGH} ${f(pt1)} files/s`}`, miss, '',
    floorOf(PASSTHROUGH, pt1, v(r1, 's3fs'))));
  const r2w = find(ws, 'small-files', 'read all, 8 readers, warm');
  out.push(goal('17', 'small files, warm read (8 readers) ≥ 2 × s3fs', 2, ratioOf(v(r2w, 'eddy'), v(r2w, 's3fs')),
    `Eddy ${f(v(r2w, 'eddy'))} files/s, s3fs ${f(v(r2w, 's3fs'))} files/s`, miss));
  const fa = find(ws, 'small-files', 'find + stat, first, with the listing');
  const eF = v(fa, 'eddy');
  const sF = v(fa, 's3fs');
  out.push(goal('17', 'find + stat of all small files, Eddy\'s listing included, ≥ 3 × faster than s3fs', 3, ratioOf(sF, eF),
    `Eddy ${f(eF)} s (listing at Dataset apply + find), s3fs ${f(sF)} s`, miss, 'ratio = s3fs time ÷ Eddy time'));
  return out;
}

function modelGoals(ws: WorkloadResult[]): Goal[] {
  const out: Goal[] = [];
  const miss = workloadMissing(ws, 'model-load', ['eddy', 'ceiling', 'direct-ranged', 's3fs']);
  const cold = find(ws, 'model-load', 'cold');
  const warm = find(ws, 'model-load', 'warm, 4 shards');
  const eC = v(cold, 'eddy');
  const dR = v(cold, 'direct-ranged');
  const ptC = v(cold, PASSTHROUGH);
  out.push(goal('17', 'cold model load ≥ 0.7 × direct 16 MiB ranged GETs', 0.7, ratioOf(eC, dR),
    `Eddy ${f(eC)} MiB/s, direct ranged ${f(dR)} MiB/s${ptC == null ? '' : `, floor ${PASSTHROUGH} ${f(ptC)} MiB/s`}`, miss, '',
    floorOf(PASSTHROUGH, ptC, dR)));
  const eW = v(warm, 'eddy');
  const ceil = v(warm, 'ceiling');
  out.push(goal('17', 'warm model load ≥ 0.85 × FUSE ceiling (median of passes)', 0.85, ratioOf(eW, ceil),
    `Eddy ${f(eW)} MiB/s, ceiling ${f(ceil)} MiB/s`, miss));
  out.push(goal('17', 'warm model load ≥ 1 × s3fs with its cache on the same storage class', 1, ratioOf(eW, v(warm, 's3fs')),
    `Eddy ${f(eW)} MiB/s, s3fs ${f(v(warm, 's3fs'))} MiB/s`, miss));
  const peer = maxOf(v(warm, 's3fs'), v(warm, 'rclone'));
  out.push(goal('7', 'warm model load ≥ 2 × the faster of s3fs and rclone', 2, ratioOf(eW, peer),
    `Eddy ${f(eW)} MiB/s, s3fs ${f(v(warm, 's3fs'))}, rclone ${f(v(warm, 'rclone'))} MiB/s`, miss));
  const pre = find(ws, 'preload', 'model set into the cache');
  out.push(goal('17', 'DataLoad (preload) ≥ 0.8 × direct 16 MiB ranged GETs', 0.8, ratioOf(v(pre, 'eddy'), v(pre, 'direct-ranged')),
    `Eddy ${f(v(pre, 'eddy'))} MiB/s, direct ranged ${f(v(pre, 'direct-ranged'))} MiB/s`, workloadMissing(ws, 'preload', ['eddy', 'direct-ranged'])));
  const rr = find(ws, 'random-read', '4k random read');
  out.push(goal('17', '4 KiB random reads ≥ 1 × s3fs (IOPS)', 1, ratioOf(v(rr, 'eddy'), v(rr, 's3fs')),
    `Eddy ${f(v(rr, 'eddy'))} IOPS, s3fs ${f(v(rr, 's3fs'))} IOPS`, workloadMissing(ws, 'random-read', ['eddy', 's3fs'])));
  return out;
}

/** Issue 17 items 4 and 5: the safetensors mmap load, N readers of one file, the page-cache re-read. */
function mmapAndSharedGoals(ws: WorkloadResult[]): Goal[] {
  const out: Goal[] = [];
  const st = find(ws, 'safetensors', 'warm, mmap load');
  out.push(goal('17', 'safetensors-style mmap load, warm, ≥ 0.8 × FUSE ceiling', 0.8, ratioOf(v(st, 'eddy'), v(st, 'ceiling')),
    `Eddy ${f(v(st, 'eddy'))} MiB/s, ceiling ${f(v(st, 'ceiling'))} MiB/s, s3fs ${f(v(st, 's3fs'))} MiB/s`,
    workloadMissing(ws, 'safetensors', ['eddy', 'ceiling'])));
  for (const n of [4, 8]) {
    const m = find(ws, 'shared-file', `warm, ${n} readers of one file`);
    out.push(goal('17', `N readers of one large file (N = ${n}) ≥ 0.8 × FUSE ceiling`, 0.8, ratioOf(v(m, 'eddy'), v(m, 'ceiling')),
      `Eddy ${f(v(m, 'eddy'))} MiB/s, ceiling ${f(v(m, 'ceiling'))} MiB/s, s3fs ${f(v(m, 's3fs'))} MiB/s`,
      workloadMissing(ws, 'shared-file', ['eddy', 'ceiling'])));
  }
  const pc = find(ws, 'page-cache', 're-read, page cache kept');
  out.push(goal('17', 're-reading a cached model with kernel_cache ≥ 0.8 × a tmpfs read of the same bytes', 0.8,
    ratioOf(v(pc, 'eddy'), v(pc, 'tmpfs')), `Eddy ${f(v(pc, 'eddy'))} MiB/s, tmpfs ${f(v(pc, 'tmpfs'))} MiB/s`,
    workloadMissing(ws, 'page-cache', ['eddy', 'tmpfs'])));
  return out;
}

function wanGoals(ws: WorkloadResult[]): Goal[] {
  const out: Goal[] = [];
  const miss = workloadMissing(ws, 'wan', ['eddy', 'direct']);
  const wl = find(ws, 'wan', 'model load, 4');
  const eWan = v(wl, 'eddy');
  const dWan = maxOf(v(wl, 'direct'), v(wl, 'direct-ranged'));
  out.push(goal('7', 'through the WAN, a warm Eddy loads the model ≥ 10 × faster than direct (a first load runs at the link\'s speed, like direct)',
    10, ratioOf(eWan, dWan), `Eddy ${f(eWan)} MiB/s, direct over the WAN ${f(dWan)} MiB/s`, miss));
  for (const [label, n] of [['update, 1 region: MiB', 1], ['update, 3 regions: MiB', 3]] as const) {
    const m = find(ws, 'wan', label);
    const got = v(m, 'eddy');
    const ideal = v(m, 'ideal');
    const file = ideal == null ? null : ideal / n;
    // Ideal/measured: 1.0 = exactly the changed file once per region; TCP/IP headers cost ~3 %.
    out.push(goal('7', `an update crosses the WAN once per region with only the changed bytes (${n} region${n > 1 ? 's' : ''})`, 0.9,
      got != null && ideal ? ideal / got : null,
      `${f(got)} MiB crossed for a ${f(file)} MiB file (ideal ${f(ideal)} MiB)`, miss,
      'ratio = ideal ÷ measured bytes; 0.9 allows for TCP/IP overhead (~3 %) and metadata requests'));
  }
  return out;
}

export function computeGoals(ws: WorkloadResult[]): Goal[] {
  return [
    ...smallFileGoals(ws),
    ...modelGoals(ws),
    ...mmapAndSharedGoals(ws),
    notYet('17', 'remote workers (mount in its own network namespace): warm ≥ 0.8 × raw TCP over the veth', 0.8,
      'a separate run with network namespaces: bench/remote-workers.ts (computeRemoteWorkerGoals; its result file has the figures)'),
    ...wanGoals(ws),
  ];
}

/** The remote-workers bench's medians, MiB/s (bench/remote-workers.ts): all shards read in parallel. */
export interface RemoteWorkerFigures {
  eddy: number | null;
  rawTcp: number | null;
  ceiling: number | null;
  /** The floor: bench/tcp-fs.ts, FUSE reads answered from raw TCP streams over the same veth, no Eddy code. */
  fuseOverTcp?: number | null;
}

/** Issue 17 item 6: the mount in its own network namespace, the workers in another, one veth between. */
export function computeRemoteWorkerGoals(fig: RemoteWorkerFigures): Goal[] {
  const miss = 'a figure is missing (see the run\'s errors)';
  const fot = fig.fuseOverTcp ?? null;
  const beside = fot == null ? '' : `, floor fuse-over-tcp ${f(fot)} MiB/s`;
  return [
    goal('17', 'remote workers (mount in its own network namespace): warm model load ≥ 0.8 × raw TCP over the same veth', 0.8,
      ratioOf(fig.eddy, fig.rawTcp), `Eddy ${f(fig.eddy)} MiB/s, raw TCP ${f(fig.rawTcp)} MiB/s${beside}`, miss, '',
      floorOf('fuse-over-tcp', fot, fig.rawTcp)),
    goal('17', 'remote workers: warm model load ≥ 0.6 × FUSE ceiling', 0.6,
      ratioOf(fig.eddy, fig.ceiling), `Eddy ${f(fig.eddy)} MiB/s, ceiling ${f(fig.ceiling)} MiB/s${beside}`, miss, '',
      floorOf('fuse-over-tcp', fot, fig.ceiling)),
  ];
}

/** The master-scale bench's view of one scale point (bench/src/master-scale). */
export interface ScaleFigures {
  files: number;
  rssPerBlock: number;
  heapPerBlock: number;
  locationsCpuP99: number;
  locationsWallP99: number;
  locationsGrpcP99: number;
}

/** A limit goal (lower is better): ratio = limit ÷ measured, met at ≥ 1. */
function limitGoal(goalText: string, limit: number, value: number | null, measured: string, missing: string, why = ''): Goal {
  return goal('17', goalText, 1, value == null ? null : value === 0 ? Number.POSITIVE_INFINITY : limit / value, measured, missing,
    why ? `ratio = limit ÷ measured; ${why}` : 'ratio = limit ÷ measured');
}

/** Issue 17 item 7: the master at 1M blocks and files (the largest scale run). */
export function computeMasterScaleGoals(points: ScaleFigures[], growth: Record<string, number | null>): Goal[] {
  const top = points.reduce<ScaleFigures | undefined>((a, p) => (!a || p.files > a.files ? p : a), undefined);
  const missing = 'no scale point was measured';
  const at = top ? `at ${top.files.toLocaleString('en-US')} blocks` : '';
  const ks = Object.entries(growth).filter((e): e is [string, number] => e[1] != null);
  const worst = ks.reduce<[string, number] | undefined>((a, e) => (!a || e[1] > a[1] ? e : a), undefined);
  return [
    limitGoal('master RSS ≤ 300 bytes per block', 300, top?.rssPerBlock ?? null,
      top ? `${top.rssPerBlock} B RSS, ${top.heapPerBlock} B heap per block ${at}` : '—', missing),
    limitGoal('GetBlockLocations p99 ≤ 2 ms at 1M blocks', 2, top?.locationsCpuP99 ?? null,
      top ? `p99 ${top.locationsCpuP99} ms of master CPU in-process ${at} (wall: ${top.locationsWallP99} ms in-process, ${top.locationsGrpcP99} ms over gRPC on a machine at load 20+)` : '—',
      missing, 'judged on the master\'s CPU time per call: wall time on the shared machine measures the neighbours'),
    goal('17', 'cost grows no worse than linearly with files and blocks', 1, worst ? (worst[1] <= 1.15 ? 1 : 1.15 / worst[1]) : null,
      worst ? `largest exponent ${worst[1]} (${worst[0]}); see the growth table` : '—', 'fewer than two scale points',
      'met when every exponent k (cost ∝ N^k) is ≤ 1.15, the margin for a shared machine'),
  ];
}

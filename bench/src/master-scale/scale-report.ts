// Renders the master-scale results: derived figures per scale point (bytes per block and per
// file, growth exponents), the Markdown table and the SVG curves.
import { fmt } from '../report.js';
import type { Goal } from '../results.js';
import { renderLineChart } from './line-chart.js';
import type { ScalePoint } from './scale-child.js';

export interface ScaleRun {
  meta: { date: string; startedAt: string; finishedAt: string; commit: string; command: string; host: string; cpu: string; node: string;
    loadAverage: { start: number[]; end: number[] }; workers: number; note: string };
  points: ScalePoint[];
  derived: Derived[];
  growth: Record<string, number | null>;
  goals: Goal[];
}

export interface Derived {
  files: number;
  rssPerBlock: number;
  heapPerBlock: number;
  rssPerFile: number;
  heapPerFile: number;
  /** Of the per-file heap: the listing alone, and the current-block index beside it. */
  heapPerFileListing: number;
  heapPerFileIndex: number;
}

export function derive(p: ScalePoint): Derived {
  const m = p.memory;
  return {
    files: p.files,
    rssPerBlock: Math.round((m.placed.rss - m.currentBlocks.rss) / p.blocks),
    heapPerBlock: Math.round((m.placed.heap - m.currentBlocks.heap) / p.blocks),
    rssPerFile: Math.round((m.currentBlocks.rss - m.idle.rss) / p.files),
    heapPerFile: Math.round((m.currentBlocks.heap - m.idle.heap) / p.files),
    heapPerFileListing: Math.round((m.listed.heap - m.idle.heap) / p.files),
    heapPerFileIndex: Math.round((m.currentBlocks.heap - m.listed.heap) / p.files),
  };
}

/** Exponent k of cost ∝ N^k between the smallest and the largest scale (1 = linear). */
export function growthExponent(points: ScalePoint[], cost: (p: ScalePoint) => number): number | null {
  const a = points[0];
  const b = points[points.length - 1];
  if (!a || !b || a === b) return null;
  const ca = cost(a);
  const cb = cost(b);
  if (!(ca > 0 && cb > 0)) return null;
  return Math.round((Math.log(cb / ca) / Math.log(b.files / a.files)) * 100) / 100;
}

export const GROWTH: Record<string, (p: ScalePoint) => number> = {
  'placement memory (heap)': (p) => p.memory.placed.heap - p.memory.currentBlocks.heap,
  'namespace + block index memory (heap)': (p) => p.memory.currentBlocks.heap - p.memory.idle.heap,
  'first listing (CPU)': (p) => p.cpuMs.firstListing,
  'current-block index build (CPU)': (p) => p.cpuMs.currentBlockIndex,
  'refresh with every block placed (CPU)': (p) => p.cpuMs.refreshWithBlocks,
  'full block reports, all workers (CPU)': (p) => p.cpuMs.register.mean * p.cpuMs.register.n,
};

const row = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;
const pp = (x: { p50: number; p99: number }): string => `${fmt(x.p50)} / ${fmt(x.p99)}`;

export function renderScaleMarkdown(r: ScaleRun, charts: string[]): string {
  const cols = r.points.map((p) => p.files.toLocaleString('en-US'));
  const line = (label: string, f: (p: ScalePoint, d: Derived) => string): string => row([label, ...r.points.map((p, i) => f(p, r.derived[i]!))]);
  const m = r.meta;
  const out = [
    '# The master at scale (issue 17, item 7)',
    '',
    `Run ${m.startedAt} → ${m.finishedAt} on \`${m.host}\` (${m.cpu}, Node ${m.node}) at commit ${m.commit}; load average ${m.loadAverage.start.map((x) => x.toFixed(1)).join(' ')} → ${m.loadAverage.end.map((x) => x.toFixed(1)).join(' ')}. ${m.note}`.trim(),
    '',
    '```sh',
    m.command,
    '```',
    '',
    `A real master (\`startMaster\`, gRPC on loopback) per scale point, each in a fresh \`node --expose-gc\` process. **Simulated:** the bucket (a UFS driver that lists N synthetic 1 MiB objects, 1,000 per directory, from a counter: \`bench/src/master-scale/simulated-ufs.ts\`) and the ${m.workers} workers (RegisterWorker / Heartbeat requests shaped as the wire delivers them, called in-process). Every file is one 16 MiB block, held by one worker: N files, N blocks.`,
    '',
    'Memory is measured after two full GCs between steps: per file = listing + the current-block index (every current block key, computed once per listing), per block = the placement map after all full block reports. Times: the machine is shared (load average above 20 on 2 cores), so wall time mostly measures the neighbours; **CPU** columns are the master process\'s own CPU time for in-process calls (what an idle core would take), gRPC columns are wall time seen by a client on the same host.',
    '',
    row(['figure', ...cols]),
    row(['---', ...cols.map(() => '---:')]),
    line('RSS per block (bytes)', (_p, d) => fmt(d.rssPerBlock)),
    line('heap per block (bytes)', (_p, d) => fmt(d.heapPerBlock)),
    line('RSS per file (bytes; listing + block index)', (_p, d) => fmt(d.rssPerFile)),
    line('heap per file (bytes): listing + block index', (_p, d) => `${fmt(d.heapPerFileListing)} + ${fmt(d.heapPerFileIndex)}`),
    line('master RSS with everything loaded (MiB)', (p) => fmt(p.memory.placed.rss / 1024 ** 2)),
    line('first listing, s (CPU / wall)', (p) => `${fmt(p.cpuMs.firstListing / 1000)} / ${fmt(p.ms.firstListing / 1000)}`),
    line('current-block index build, s (CPU / wall)', (p) => `${fmt(p.cpuMs.currentBlockIndex / 1000)} / ${fmt(p.ms.currentBlockIndex / 1000)}`),
    line('namespace refresh with every block placed, s (CPU / wall)', (p) => `${fmt(p.cpuMs.refreshWithBlocks / 1000)} / ${fmt(p.ms.refreshWithBlocks / 1000)}`),
    line('RegisterWorker, full report, ms p50 / p99 (CPU)', (p) => pp(p.cpuMs.register)),
    line('Heartbeat, no delta, ms p50 / p99 (CPU)', (p) => pp(p.cpuMs.heartbeatEmpty)),
    line(`Heartbeat, ${r.points[0]?.heartbeatDeltaKeys ?? 100}-key delta, ms p50 / p99 (CPU)`, (p) => pp(p.cpuMs.heartbeatDelta)),
    line('GetBlockLocations in-process, ms p50 / p99 (CPU)', (p) => pp(p.cpuMs.locationsInProcess)),
    line('GetBlockLocations in-process, ms p50 / p99 (wall)', (p) => pp(p.ms.locationsInProcess)),
    line('… the lookups a GC overlapped: GCs (major) / samples', (p) => (p.locationsGc ? `${p.locationsGc.gcs} (${p.locationsGc.majorGcs}) / ${p.locationsGc.samplesWithGc} of ${p.ms.locationsInProcess.n}` : '—')),
    line('… the others, ms p50 / p99 (CPU; wall)', (p) => (p.locationsGc ? `${pp(p.locationsGc.cpuWithoutGc)}; ${pp(p.locationsGc.wallWithoutGc)}` : '—')),
    line('GetBlockLocations over gRPC, ms p50 / p99 (wall)', (p) => pp(p.ms.locationsGrpc)),
    line('List of a 1,000-entry directory in-process, ms p50 / p99 (CPU)', (p) => pp(p.cpuMs.listInProcess)),
    line('List of a 1,000-entry directory over gRPC, ms p50 / p99 (wall)', (p) => pp(p.ms.listGrpc)),
    '',
    '## Growth',
    '',
    `Exponent k in cost ∝ N^k from ${cols[0]} to ${cols[cols.length - 1]} files (1 = linear; per-operation latencies should stay flat, k ≈ 0).`,
    '',
    '| cost | k |',
    '|---|---:|',
    ...Object.entries(r.growth).map(([k, v]) => `| ${k} | ${v == null ? '—' : v.toFixed(2)} |`),
    '',
    '## Goals',
    '',
    '| goal | measured | met | reason |',
    '|---|---|:---:|---|',
    ...r.goals.map((g) => `| ${g.goal} | ${g.measured} | ${g.met == null ? 'not measured' : g.met ? 'yes' : 'no'} | ${g.why} |`),
    '',
    ...charts.map((c) => `![${c}](${c})`),
    '',
  ];
  return `${out.join('\n')}\n`;
}

export function renderScaleCharts(r: ScaleRun): { memory: string; latency: string } {
  const sub = `${r.meta.host}, ${r.meta.date}, commit ${r.meta.commit}; ${r.meta.workers} simulated workers`;
  const memory = renderLineChart({
    title: 'Master memory per block and per file', subtitle: sub, xLabel: 'files = blocks (log scale)', yLabel: 'bytes',
    series: [
      { name: 'RSS per block', color: '#08519c', points: r.derived.map((d) => [d.files, d.rssPerBlock]) },
      { name: 'heap per block', color: '#6baed6', points: r.derived.map((d) => [d.files, d.heapPerBlock]) },
      { name: 'RSS per file', color: '#a63603', points: r.derived.map((d) => [d.files, d.rssPerFile]) },
      { name: 'heap per file', color: '#fd8d3c', points: r.derived.map((d) => [d.files, d.heapPerFile]) },
    ],
    refs: [{ y: 300, label: 'goal: 300 B/block' }],
  });
  const latency = renderLineChart({
    title: 'Master CPU time per call (in-process)', subtitle: sub, xLabel: 'files = blocks (log scale)', yLabel: 'ms of CPU',
    series: [
      { name: 'GetBlockLocations p50', color: '#08519c', points: r.points.map((p) => [p.files, p.cpuMs.locationsInProcess.p50]) },
      { name: 'GetBlockLocations p99', color: '#6baed6', points: r.points.map((p) => [p.files, p.cpuMs.locationsInProcess.p99]) },
      { name: 'List (1,000) p50', color: '#a63603', points: r.points.map((p) => [p.files, p.cpuMs.listInProcess.p50]) },
      { name: 'List (1,000) p99', color: '#fd8d3c', points: r.points.map((p) => [p.files, p.cpuMs.listInProcess.p99]) },
      { name: 'Heartbeat delta p99', color: '#31a354', points: r.points.map((p) => [p.files, p.cpuMs.heartbeatDelta.p99]) },
    ],
    refs: [{ y: 2, label: 'goal: p99 ≤ 2 ms' }],
  });
  return { memory, latency };
}

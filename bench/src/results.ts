// The shape of one bench run's results, shared by the workloads (which fill it) and the report
// (which renders it). One Metric = one row of a workload's table: a value per target.

export type Better = 'higher' | 'lower';

export interface Metric {
  label: string;
  unit: string;
  better: Better;
  /** Target (column) name → value; null when the target failed or does not apply. */
  values: Record<string, number | null>;
  /** Free-form detail per target (e.g. all warm passes, errors). */
  detail?: Record<string, string>;
  /** Per target, the spread of the passes behind the value (the value is their median). */
  spread?: Record<string, Spread>;
}

/** Median, min and max of a figure's passes. */
export interface Spread { median: number; min: number; max: number; passes: number[] }

export interface WorkloadResult {
  name: string;
  title: string;
  description: string;
  metrics: Metric[];
  notes: string[];
  /** Extra structured data for the JSON (e.g. byte counters). */
  data?: Record<string, unknown>;
}

export interface Goal {
  /** The issue that set the goal. */
  issue: string;
  goal: string;
  measured: string;
  ratio: number | null;
  target: number;
  met: boolean | null;
  /** Always set: "met: …", "not met: …" or "not measured: …" (and what the floor says, when there is one). */
  why: string;
  /**
   * What an ideal minimal pipeline of the same shape (a floor: no cache, no Eddy code) reaches
   * against the same reference, when the run measured one: below the target, no client of that
   * shape reaches the goal on this machine; above it, the gap is the client's own.
   */
  floor?: { by: string; ratio: number | null };
}

export interface RunResults {
  meta: {
    date: string;
    host: string;
    startedAt: string;
    finishedAt: string;
    command: string;
    options: Record<string, unknown>;
    machine: Record<string, string | number>;
    versions: Record<string, string>;
    loadAverage: { start: number[]; end: number[] };
    /** The 1-minute load average when each workload started and ended. */
    loadByWorkload?: Record<string, { start: number; end: number }>;
    /** The commit the run was built from (short hash), for the analysis check. */
    commit?: string;
    note: string;
  };
  targets: Record<string, string>;
  workloads: WorkloadResult[];
  goals: Goal[];
  errors: string[];
}

export function metric(label: string, unit: string, better: Better): Metric {
  return { label, unit, better, values: {}, detail: {}, spread: {} };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Records `passes` as the target's figure: their median, with min and max kept beside it. */
export function recordPasses(m: Metric, target: string, passes: number[]): void {
  if (passes.length === 0) return;
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  const med = round(median(passes));
  m.values[target] = med;
  (m.spread ??= {})[target] = { median: med, min: round(Math.min(...passes)), max: round(Math.max(...passes)), passes: passes.map(round) };
}

/** Speed of Eddy relative to `other` for this metric (> 1 = Eddy faster); null if either is missing. */
export function speedup(m: Metric, eddy: string, other: string): number | null {
  const a = m.values[eddy];
  const b = m.values[other];
  if (a == null || b == null || a === 0 || b === 0) return null;
  return m.better === 'higher' ? a / b : b / a;
}

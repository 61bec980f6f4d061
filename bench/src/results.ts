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
}

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
  goal: string;
  measured: string;
  ratio: number | null;
  target: number;
  met: boolean | null;
  why: string;
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
    note: string;
  };
  targets: Record<string, string>;
  workloads: WorkloadResult[];
  goals: Goal[];
  errors: string[];
}

export function metric(label: string, unit: string, better: Better): Metric {
  return { label, unit, better, values: {}, detail: {} };
}

/** Speed of Eddy relative to `other` for this metric (> 1 = Eddy faster); null if either is missing. */
export function speedup(m: Metric, eddy: string, other: string): number | null {
  const a = m.values[eddy];
  const b = m.values[other];
  if (a == null || b == null || a === 0 || b === 0) return null;
  return m.better === 'higher' ? a / b : b / a;
}

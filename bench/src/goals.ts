// Issue 7's goals, each computed from the figures of this run (met / not met / not measured).
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

function goal(goalText: string, target: number, ratio: number | null, measured: string, why = ''): Goal {
  return { goal: goalText, target, ratio: ratio == null ? null : Math.round(ratio * 100) / 100, measured, met: ratio == null ? null : ratio >= target, why };
}

export function computeGoals(ws: WorkloadResult[]): Goal[] {
  const goals: Goal[] = [];
  const warm = find(ws, 'model-load', 'warm, best');
  const cold = find(ws, 'model-load', 'cold');
  const eW = v(warm, 'eddy');
  const ceilW = v(warm, 'ceiling');
  goals.push(goal('warm model load ≥ 0.8 × FUSE ceiling', 0.8, eW != null && ceilW ? eW / ceilW : null,
    `Eddy ${eW ?? '—'} MiB/s, ceiling ${ceilW ?? '—'} MiB/s`));
  const peer = maxOf(v(warm, 's3fs'), v(warm, 'rclone'));
  goals.push(goal('warm model load ≥ 2 × faster of s3fs and rclone', 2, eW != null && peer ? eW / peer : null,
    `Eddy ${eW ?? '—'} MiB/s, s3fs ${v(warm, 's3fs') ?? '—'}, rclone ${v(warm, 'rclone') ?? '—'} MiB/s`));
  const find1 = find(ws, 'small-files', 'find + stat, first');
  const eF = v(find1, 'eddy');
  const sF = v(find1, 's3fs');
  goals.push(goal('find + stat of all small files ≥ 5 × faster than s3fs', 5, eF && sF != null ? sF / eF : null,
    `Eddy ${eF ?? '—'} s, s3fs ${sF ?? '—'} s (first pass on a fresh mount)`));
  const eC = v(cold, 'eddy');
  const direct = maxOf(v(cold, 'direct'), v(cold, 'direct-ranged'));
  const ceilC = v(cold, 'ceiling');
  const ref = direct != null && ceilC != null ? Math.min(direct, ceilC) : (direct ?? ceilC);
  goals.push(goal('cold model load ≥ 0.7 × min(direct GET, ceiling)', 0.7, eC != null && ref ? eC / ref : null,
    `Eddy ${eC ?? '—'} MiB/s, direct GET ${direct ?? '—'} MiB/s (best shape), ceiling ${ceilC ?? '—'} MiB/s`));
  const wl = find(ws, 'wan', 'model load, 4');
  const eWan = v(wl, 'eddy');
  const dWan = maxOf(v(wl, 'direct'), v(wl, 'direct-ranged'));
  goals.push(goal('through the WAN, warm Eddy loads the model ≥ 10 × faster than direct', 10, eWan != null && dWan ? eWan / dWan : null,
    `Eddy ${eWan ?? '—'} MiB/s, direct over the WAN ${dWan ?? '—'} MiB/s`));
  for (const [label, n] of [['update, 1 region: MiB', 1], ['update, 3 regions: MiB', 3]] as const) {
    const m = find(ws, 'wan', label);
    const got = v(m, 'eddy');
    const ideal = v(m, 'ideal');
    const file = ideal == null ? null : ideal / n;
    // Ideal/measured: 1.0 = exactly the changed file once per region; TCP/IP headers cost ~3 %.
    const r = got != null && ideal ? ideal / got : null;
    goals.push(goal(`an update crosses the WAN once per region with only the changed bytes (${n} region${n > 1 ? 's' : ''})`, 0.9, r,
      `${got ?? '—'} MiB crossed for a ${file ?? '—'} MiB file (ideal ${ideal ?? '—'} MiB)`,
      'ratio = ideal ÷ measured bytes; ≥ 0.9 allows for TCP/IP overhead (~3 %) and metadata requests.'));
  }
  return goals;
}

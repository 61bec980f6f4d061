// Latency summaries for the master-scale bench: p50 / p99 / max of a set of samples (ms).

export interface Percentiles { n: number; p50: number; p99: number; max: number; mean: number }

export function percentiles(samples: number[]): Percentiles {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? 0;
  const r = (x: number): number => Math.round(x * 1000) / 1000;
  return { n: s.length, p50: r(at(0.5)), p99: r(at(0.99)), max: r(s[s.length - 1] ?? 0), mean: r(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)) };
}

// Where the bytes of one remote-workers pass came from, as the processes themselves count them:
// the workers' eddy_worker_served_bytes_total (bytes asked of them on the data channel) and the
// mount's eddy_client_read_bytes_total (bytes its read path got, by source) and worker failures,
// scraped from their /metrics before and after a pass. Beside the veth's byte counter, they tell a
// read that asked for its bytes twice (served ≈ veth > file) from bytes lost on the way (veth >
// served: connections torn down mid-transfer) and from traffic of something else (veth > both).
import { run } from '../exec.js';

/** One Prometheus endpoint, scraped from inside `netns` when given (the mount's loopback is its namespace's). */
export interface MetricsEndpoint { url: string; netns?: string }

/** Counter totals by `name{label="value"}` (other labels summed), or by bare name when the series has none of interest. */
export type CounterTotals = Map<string, number>;

const WANTED: Record<string, string | undefined> = {
  eddy_worker_served_bytes_total: 'source',
  eddy_worker_block_reads_total: 'result',
  eddy_client_read_bytes_total: 'source',
  eddy_client_reads_total: 'source',
  eddy_client_worker_failures_total: undefined,
};

/** Parses the counters above from a Prometheus text exposition. */
export function parseCounters(text: string, into: CounterTotals = new Map()): CounterTotals {
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || !(m[1]! in WANTED)) continue;
    const label = WANTED[m[1]!];
    const value = label ? new RegExp(`${label}="([^"]*)"`).exec(m[2] ?? '')?.[1] : undefined;
    const key = value === undefined ? m[1]! : `${m[1]!}{${label!}="${value}"}`;
    into.set(key, (into.get(key) ?? 0) + Number(m[3]));
  }
  return into;
}

/** The totals of every endpoint added together (the workers' counters sum over the workers). */
export async function scrape(endpoints: readonly MetricsEndpoint[]): Promise<CounterTotals> {
  const totals: CounterTotals = new Map();
  for (const e of endpoints) {
    const prefix = e.netns ? ['nsenter', `--net=/run/netns/${e.netns}`] : [];
    const [cmd, ...args] = [...prefix, 'curl', '-sf', '--max-time', '30', e.url];
    parseCounters((await run(cmd!, args, { timeoutMs: 60_000 })).stdout, totals);
  }
  return totals;
}

/** after − before, rounded to MiB for byte counters, as a plain object for the result JSON. */
export function counterDelta(before: CounterTotals, after: CounterTotals): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    out[k.includes('bytes') ? k.replace('_bytes_total', '_MiB') : k] = k.includes('bytes') ? Math.round((d / 1024 ** 2) * 10) / 10 : d;
  }
  return out;
}

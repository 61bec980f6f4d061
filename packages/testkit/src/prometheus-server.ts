// A real Prometheus (Debian's `prometheus`, installed by scripts/setup.sh) on a free loopback port,
// with a temp config that scrapes the given targets every second and a temp TSDB, for tests that
// check Eddy's metrics the way an operator reads them: through PromQL on the HTTP API.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './net.js';

export interface PrometheusTarget {
  job: string;
  /** host:port of a /metrics endpoint. */
  address: string;
  /** Sent as `Authorization: Bearer` (from a credentials file, as an operator would configure it). */
  token?: string;
}

export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface PrometheusServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Instant query (at `time` seconds, default now); every series of the resulting vector. */
  query(promql: string, time?: number): Promise<PromSample[]>;
  /** The single value of an instant query, or undefined when the vector is empty. */
  scalar(promql: string, time?: number): Promise<number | undefined>;
  /** Resolves once every target of `job` was scraped (successfully) after `afterMs` (epoch ms). */
  waitForScrape(job: string, afterMs?: number, timeoutMs?: number): Promise<void>;
  /** Rewrites the config with these targets and reloads it. */
  setTargets(targets: PrometheusTarget[]): Promise<void>;
  close(): Promise<void>;
}

export function prometheusPath(): string {
  return process.env['EDDY_PROMETHEUS'] ?? '/usr/bin/prometheus';
}

function configYaml(dir: string, targets: PrometheusTarget[], tokenFiles: Map<string, string>): string {
  const lines = ['global:', '  scrape_interval: 1s', '  scrape_timeout: 1s', '  evaluation_interval: 1s', 'scrape_configs:'];
  const jobs = new Map<string, PrometheusTarget[]>();
  for (const t of targets) jobs.set(t.job, [...(jobs.get(t.job) ?? []), t]);
  for (const [job, ts] of jobs) {
    const token = ts.find((t) => t.token)?.token;
    lines.push(`  - job_name: ${JSON.stringify(job)}`, '    static_configs:', `      - targets: ${JSON.stringify(ts.map((t) => t.address))}`);
    if (token) {
      const file = join(dir, `token-${tokenFiles.size}`);
      tokenFiles.set(file, token);
      lines.push('    authorization:', '      type: Bearer', `      credentials_file: ${JSON.stringify(file)}`);
    }
  }
  return lines.join('\n') + '\n';
}

export async function startPrometheus(targets: PrometheusTarget[]): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-prometheus-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const configFile = join(dir, 'prometheus.yml');
  const writeConfig = async (ts: PrometheusTarget[]): Promise<void> => {
    const tokens = new Map<string, string>();
    const yaml = configYaml(dir, ts, tokens);
    for (const [file, token] of tokens) await writeFile(file, token, { mode: 0o600 });
    await writeFile(configFile, yaml);
  };
  await writeConfig(targets);
  let stderr = '';
  const proc: ChildProcess = spawn(prometheusPath(), [
    `--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-lifecycle', '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr?.on('data', (b: Buffer) => { stderr = (stderr + b.toString()).slice(-4000); });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise<void>((r) => proc.once('exit', () => r()));
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      await rm(dir, { recursive: true, force: true });
    })();
    return closing;
  };
  const api = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const res = await fetch(`${url}${path}`, init);
    const body = await res.json() as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
    return body.data;
  };
  const query = async (promql: string, time?: number): Promise<PromSample[]> => {
    const params = new URLSearchParams({ query: promql, ...(time !== undefined ? { time: String(time) } : {}) });
    const data = await api<{ resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(`/api/v1/query?${params}`);
    if (data.resultType === 'scalar') {
      const v = data.result as unknown as [number, string];
      return [{ metric: {}, value: Number(v[1]) }];
    }
    return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  };
  try {
    await waitFor(async () => {
      if (proc.exitCode !== null) throw new Error(`prometheus exited (${proc.exitCode}): ${stderr}`);
      return (await fetch(`${url}/-/ready`)).ok;
    }, { timeoutMs: 30_000, intervalMs: 100, what: 'prometheus to be ready' });
  } catch (err) {
    await close();
    throw err;
  }
  return {
    url,
    query,
    async scalar(promql, time) {
      const r = await query(promql, time);
      if (r.length > 1) throw new Error(`${promql} returned ${r.length} series, expected one`);
      return r[0]?.value;
    },
    async waitForScrape(job, afterMs = Date.now(), timeoutMs = 30_000) {
      // `up`'s sample time is the scrape's start: a sample after afterMs saw what happened before it.
      // timestamp() of a plain selector is the sample's time (of an expression, `up == 1`, it would
      // be the evaluation's), so success is checked on its own.
      const sel = `up{job=${JSON.stringify(job)}}`;
      await waitFor(async () => {
        const [times, ups] = await Promise.all([query(`timestamp(${sel})`), query(sel)]);
        return times.length > 0 && times.every((s) => s.value * 1000 > afterMs) && ups.every((s) => s.value === 1);
      }, { timeoutMs, intervalMs: 200, what: `a scrape of ${job} after ${new Date(afterMs).toISOString()}` });
    },
    async setTargets(ts) {
      await writeConfig(ts);
      const res = await fetch(`${url}/-/reload`, { method: 'POST' });
      if (!res.ok) throw new Error(`prometheus reload: ${res.status} ${await res.text()}`);
    },
    close,
  };
}

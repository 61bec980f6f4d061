// CLI start-up benchmark (issue 12): wall time of `node -e ''` (the floor), `eddy --help` and
// `eddy get dataset` against a master this script starts in-process (one file:// Dataset), each
// run --runs times as fresh processes, in rounds of every command in turn (after one unmeasured
// warm-up run each).
// Writes bench/results/cli-startup.json and .md: median, min and max per command, and the goals.
// Where GNU time is installed (/usr/bin/time) each run's CPU time (user + system) is recorded
// too: on a busy machine wall time mostly measures the neighbours, CPU time what the CLI costs.
// The two `(modules)` rows run the same commands from the compiled modules instead of the bundle
// `npm run build` makes (EDDY_CLI_BUNDLE=0, see packages/cli/bin/eddy.js), in the same run.
//
// NODE_EXTRA_CA_CERTS: when the environment sets it (this VM's does), Node reads and parses that
// PEM bundle while it starts, before any script runs: ~0.15 s of CPU per process here, which
// `node -e ''` pays too. Every command is then also run with it unset (the `(no extra CA)` rows,
// in the same rounds), so the CLI's own cost is visible next to the machine's.
//
// --baseline DIR adds the same two eddy commands run from another built checkout (e.g. the
// commit before the start-up work), measured in the same run: on a shared machine only
// numbers taken side by side compare.
//
//   npx tsc -b bench && node bench/lib/cli-startup.js [--runs 10] [--out bench/results] [--baseline DIR]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, hostname, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@eddy/core';
import { startMaster } from '@eddy/master';
import { createMasterClient } from '@eddy/protocol';

const EDDY = fileURLToPath(new URL('../../packages/cli/bin/eddy.js', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../../packages/cli/lib/bundle/main.js', import.meta.url));
const TOKEN = 'bench-cli-token';
const GNU_TIME = '/usr/bin/time';
const CPU_MARK = 'eddy-bench-cpu';

/** Goals of issue 12, seconds (median of the runs). */
const GOALS: Record<string, number> = { 'eddy --help': 0.3, 'eddy get dataset': 0.4 };
const EXTRA_CA = 'NODE_EXTRA_CA_CERTS';
const NO_EXTRA_CA = ' (no extra CA)';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}

interface Case { name: string; args: string[]; env?: NodeJS.ProcessEnv; unset?: string[] }
interface Row {
  name: string;
  runs: number[];
  medianS: number;
  minS: number;
  maxS: number;
  /** CPU seconds (user + system) per run, when GNU time is installed. */
  cpuRuns?: number[];
  cpuMedianS?: number;
  goalS?: number;
  met?: boolean;
}

interface Sample { wallS: number; cpuS: number | undefined }

/** One fresh process, wall time from spawn to exit; a non-zero exit fails the benchmark. */
function timeOnce(args: string[], env: NodeJS.ProcessEnv, withCpu: boolean): Promise<Sample> {
  return new Promise((resolveRun, reject) => {
    const [cmd, argv] = withCpu ? [GNU_TIME, ['-f', `${CPU_MARK} %U %S`, process.execPath, ...args]] : [process.execPath, args];
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
      const m = new RegExp(`${CPU_MARK} ([\\d.]+) ([\\d.]+)`).exec(stderr);
      if (code === 0) resolveRun({ wallS, cpuS: m ? Number(m[1]) + Number(m[2]) : undefined });
      else reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr.trim()}`));
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function rowOf(c: Case, samples: Sample[]): Row {
  const times = samples.map((s) => s.wallS);
  const row: Row = { name: c.name, runs: times, medianS: median(times), minS: Math.min(...times), maxS: Math.max(...times) };
  const cpu = samples.map((s) => s.cpuS).filter((s): s is number => s !== undefined);
  if (cpu.length === samples.length) Object.assign(row, { cpuRuns: cpu, cpuMedianS: median(cpu) });
  const goal = GOALS[c.name.replace(NO_EXTRA_CA, '')];
  if (goal !== undefined) Object.assign(row, { goalS: goal, met: row.medianS <= goal });
  return row;
}

/**
 * One unmeasured warm-up of each case, then `runs` rounds of every case in turn: the neighbours'
 * load, which comes and goes, falls on every row alike.
 */
async function measure(cases: Case[], runs: number, env: NodeJS.ProcessEnv): Promise<Row[]> {
  const withCpu = existsSync(GNU_TIME);
  const envOf = (c: Case): NodeJS.ProcessEnv => {
    const e = { ...env, ...c.env };
    for (const k of c.unset ?? []) delete e[k];
    return e;
  };
  for (const c of cases) await timeOnce(c.args, envOf(c), withCpu);
  const samples: Sample[][] = cases.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [j, c] of cases.entries()) samples[j]!.push(await timeOnce(c.args, envOf(c), withCpu));
  }
  return cases.map((c, j) => rowOf(c, samples[j]!));
}

function commitOf(dir: string): string {
  try {
    return execFileSync('git', ['-C', dir, 'log', '-1', '--format=%h %s'], { encoding: 'utf8' }).trim().slice(0, 80);
  } catch {
    return 'not a git checkout';
  }
}

function markdown(rows: Row[], meta: Record<string, unknown>): string {
  const f = (s: number): string => s.toFixed(3);
  const lines = [
    '# CLI start-up (issue 12)',
    '',
    `${String(meta.date)} on ${String(meta.host)} (${String(meta.cpus)} cores, node ${String(meta.node)}), ` +
      `${String(meta.runs)} rounds of every command in turn after one warm-up each;`,
    `load average before/after: ${String(meta.loadBefore)} / ${String(meta.loadAfter)}. Wall time of a fresh process, seconds.`,
    ...(meta.extraCa ? [
      `The environment sets ${EXTRA_CA}=${String(meta.extraCa)}; the \`${NO_EXTRA_CA.trim()}\` rows run the same command ` +
        'without it, in the same rounds (Node parses that bundle at start-up, before any script runs).',
    ] : []),
    ...(meta.baseline ? [`Baseline rows: the same commands from the checkout at ${String(meta.baseline)}, in the same run.`] : []),
    '',
    '| command | median | min | max | CPU median | goal | met |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => [
      `\`${r.name}\``, f(r.medianS), f(r.minS), f(r.maxS), r.cpuMedianS === undefined ? '' : f(r.cpuMedianS),
      r.goalS === undefined ? '' : `≤ ${r.goalS}`, r.met === undefined ? '' : r.met ? 'yes' : 'no',
    ].join(' | ')).map((line) => `| ${line} |`),
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  if (!existsSync(BUNDLE)) throw new Error(`no CLI bundle at ${BUNDLE}: run npm run build`);
  const runs = Number(arg('runs', '10'));
  const outDir = resolve(arg('out', 'bench/results'));
  const dir = await mkdtemp(join(tmpdir(), 'eddy-cli-bench-'));
  const data = join(dir, 'bucket');
  await mkdir(data, { recursive: true });
  await writeFile(join(data, 'a.bin'), Buffer.alloc(4096, 1));
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  const master = await startMaster({ listen: '127.0.0.1:0', dataDir: join(dir, 'master'), token: TOKEN, logger: silentLogger() });
  try {
    const rpc = createMasterClient(master.address, { token: TOKEN });
    const dataset = `apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata: {name: demo}\nspec:\n  mounts: [{mountPoint: "file://${data}"}]\n`;
    await rpc.apply({ manifests: dataset });
    rpc.close();
    const env = { ...process.env, EDDY_MASTER: master.address, EDDY_TOKEN_FILE: tokenFile, EDDY_TLS_CA: '', EDDY_CLI_BUNDLE: '' };
    const cases: Case[] = [
      { name: "node -e ''", args: ['-e', ''] },
      { name: 'eddy --help', args: [EDDY, '--help'] },
      { name: 'eddy get dataset', args: [EDDY, 'get', 'dataset'] },
      { name: 'eddy --help (modules)', args: [EDDY, '--help'], env: { EDDY_CLI_BUNDLE: '0' } },
      { name: 'eddy get dataset (modules)', args: [EDDY, 'get', 'dataset'], env: { EDDY_CLI_BUNDLE: '0' } },
    ];
    const extraCa = process.env[EXTRA_CA];
    if (extraCa) {
      cases.splice(3, 0, ...cases.slice(0, 3).map((c) => ({ ...c, name: c.name + NO_EXTRA_CA, unset: [EXTRA_CA] })));
    }
    const baseline = arg('baseline', '');
    if (baseline) {
      const old = join(resolve(baseline), 'packages/cli/bin/eddy.js');
      cases.push(
        { name: 'baseline: eddy --help', args: [old, '--help'] },
        { name: 'baseline: eddy get dataset', args: [old, 'get', 'dataset'] },
      );
    }
    const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
    const rows = await measure(cases, runs, env);
    const meta = {
      date: new Date().toISOString(), host: hostname(), cpus: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version,
      runs, extraCa, baseline: baseline ? `${baseline} (${commitOf(baseline)})` : undefined,
      loadBefore, loadAfter: loadavg().map((l) => l.toFixed(2)).join(' '),
    };
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, 'cli-startup.json'), JSON.stringify({ ...meta, rows }, null, 2) + '\n');
    await writeFile(join(outDir, 'cli-startup.md'), markdown(rows, meta));
    process.stdout.write(markdown(rows, meta));
  } finally {
    await master.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`cli-startup: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

// The master at scale (issue 17, item 7): `npx tsc -b bench && node bench/lib/master-scale.js
// [--scales 10000,100000,1000000] [--workers 100] [--samples 5000] [--out bench/results] [--note t]`.
// Runs src/master-scale/scale-child.ts once per scale in a fresh process (a real master over a
// SIMULATED bucket listing and SIMULATED workers), then writes master-scale.json, .md and two SVG
// charts (memory per block/file, CPU per call). No root, S3 server or FUSE needed.
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, hostname, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { run } from './src/exec.js';
import { computeMasterScaleGoals } from './src/goals.js';
import type { ScalePoint } from './src/master-scale/scale-child.js';
import { derive, GROWTH, growthExponent, renderScaleCharts, renderScaleMarkdown, type ScaleRun } from './src/master-scale/scale-report.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'src', 'master-scale', 'scale-child.js');
const log = (m: string): void => { console.error(`[master-scale ${new Date().toISOString().slice(11, 19)}] ${m}`); };

async function runPoint(files: number, workers: number, samples: number): Promise<ScalePoint> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--max-old-space-size=8192', CHILD,
      '--files', String(files), '--workers', String(workers), '--samples', String(samples)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) { reject(new Error(`scale ${files} exited ${code}`)); return; }
      try { resolve(JSON.parse(out) as ScalePoint); } catch (err) { reject(err as Error); }
    });
  });
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scales: { type: 'string', default: '10000,100000,1000000' }, workers: { type: 'string', default: '100' },
      samples: { type: 'string', default: '5000' }, out: { type: 'string', default: join('bench', 'results') }, note: { type: 'string', default: '' },
    },
  });
  const scales = values.scales.split(',').map(Number);
  if (scales.some((n) => !Number.isInteger(n) || n < 1000)) throw new Error('--scales must be integers ≥ 1000, comma-separated');
  const workers = Number(values.workers);
  const startedAt = new Date();
  const loadStart = loadavg();
  const points: ScalePoint[] = [];
  for (const n of scales) {
    log(`${n.toLocaleString('en-US')} files and blocks, ${workers} workers (load average ${loadavg()[0]!.toFixed(1)})`);
    points.push(await runPoint(n, workers, Number(values.samples)));
  }
  const derived = points.map(derive);
  const growth = Object.fromEntries(Object.entries(GROWTH).map(([k, f]) => [k, growthExponent(points, f)]));
  const args = argv.filter((a, i) => a !== '--note' && argv[i - 1] !== '--note');
  const r: ScaleRun = {
    meta: {
      date: startedAt.toISOString().slice(0, 10), startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(),
      commit: (await run('git', ['rev-parse', '--short', 'HEAD'])).stdout.trim(),
      command: `npx tsc -b bench && node bench/lib/master-scale.js${args.length ? ` ${args.join(' ')}` : ''}`,
      host: hostname(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage: { start: loadStart, end: loadavg() }, workers,
      note: values.note,
    },
    points, derived, growth,
    goals: computeMasterScaleGoals(points.map((p, i) => ({
      files: p.files, rssPerBlock: derived[i]!.rssPerBlock, heapPerBlock: derived[i]!.heapPerBlock,
      locationsCpuP99: p.cpuMs.locationsInProcess.p99, locationsWallP99: p.ms.locationsInProcess.p99, locationsGrpcP99: p.ms.locationsGrpc.p99,
    })), growth),
  };
  await mkdir(values.out, { recursive: true });
  const base = join(values.out, 'master-scale');
  const charts = renderScaleCharts(r);
  await writeFile(`${base}.json`, `${JSON.stringify(r, null, 2)}\n`);
  await writeFile(`${base}-memory.svg`, charts.memory);
  await writeFile(`${base}-cpu.svg`, charts.latency);
  await writeFile(`${base}.md`, renderScaleMarkdown(r, ['master-scale-memory.svg', 'master-scale-cpu.svg']));
  log(`wrote ${base}.json, .md, -memory.svg, -cpu.svg`);
  return 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
  console.error(`master-scale failed: ${(err as Error)?.stack ?? String(err)}`);
  process.exitCode = 1;
});

// Issue 5's FUSE read bench: sequential whole-file reads through an Eddy mount with 1 and 4
// readers, cold (empty cache: the preferred worker reads through) and warm (blocks cached in the
// worker's MEM tier), against two references measured in the same run: the FUSE ceiling
// (bench/null-fs.ts, fuse-native serving from memory) and direct GETs from the S3 server.
//   node bench/lib/fuse-read.js [--size 256] [--out bench/results]     (as root: FUSE, drop_caches)
// Writes <out>/fuse-read.json and <out>/fuse-read.md. Eddy runs as `eddy master`, `eddy worker`
// and `eddy mount` child processes, as a user would; readers are `dd bs=1M` processes.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { createMasterClient } from '@eddy/protocol';
import { freePort, s3DatasetManifests, startS3Server } from '@eddy/testkit';
import { Daemon, dropCaches, unmount, waitMounted, sleep } from './src/exec.js';
import { readParallel, type ReadResult } from './src/read.js';
import { directGetWhole } from './src/direct-get.js';
import { CeilingTarget } from './src/targets/ceiling-target.js';
import type { FixtureFile } from './src/fixture.js';

const here = dirname(fileURLToPath(import.meta.url));
const EDDY = join(here, '..', '..', 'packages', 'cli', 'bin', 'eddy.js');
const MiB = 1024 * 1024;

const { values } = parseArgs({ options: { size: { type: 'string', default: '256' }, out: { type: 'string', default: join(here, '..', 'results') }, 'block-size': { type: 'string', default: '16Mi' }, runs: { type: 'string', default: '3' }, cases: { type: 'string' }, hold: { type: 'boolean', default: false }, small: { type: 'string', default: '0' } } });
// --cases eddy-cold-1,eddy-warm-1 measures only those (for profiling one path); the report needs all.
const cases = values.cases ? new Set(values.cases.split(',')) : undefined;
const runs = Number(values.runs);
const fileMiB = Number(values.size);
const outDir = values.out!;

function log(m: string): void { process.stderr.write(`[fuse-read] ${m}\n`); }

async function main(): Promise<void> {
  const loadStart = Math.round(loadavg()[0]! * 100) / 100;
  const work = await mkdtemp(join(tmpdir(), 'eddy-fuse-bench-'));
  const cleanups: Array<() => Promise<void>> = [async () => { await rm(work, { recursive: true, force: true }); }];
  try {
    log(`S3 server and ${5 * runs} × ${fileMiB} MiB objects (${runs} runs)`);
    const s3 = await startS3Server();
    cleanups.push(async () => { await s3.close(); });
    const bucket = await s3.createBucket();
    // Every run reads its own five objects, so each run's cold reads find nothing cached. The
    // bytes may repeat across objects: blocks are keyed by object and version, never by content.
    const chunks: Buffer[] = [];
    for (let n = 0; n < fileMiB; n += 16) chunks.push(randomBytes(Math.min(16, fileMiB - n) * MiB));
    const data = Buffer.concat(chunks);
    const files: FixtureFile[] = [];
    for (let r = 0; r < runs; r++) {
      for (let i = 0; i < 5; i++) {
        const path = `run-${r}/shard-${i}.bin`;
        await s3.client.putObject(bucket, path, data, data.length);
        files.push({ path, size: data.length });
      }
    }

    // --small N (with --hold): N files of 64 KiB under small/, for timing per-file costs by hand.
    for (let i = 0; i < Number(values.small); i++) {
      const b = randomBytes(64 * 1024);
      await s3.client.putObject(bucket, `small/d${String(Math.floor(i / 10)).padStart(3, '0')}/f${i % 10}.bin`, b, b.length);
    }

    // Eddy: master, one worker (MEM tier), mount — separate processes.
    const token = join(work, 'token');
    await writeFile(token, `bench-${randomBytes(8).toString('hex')}\n`);
    const port = await freePort();
    const masterAddr = `127.0.0.1:${port}`;
    const env = { ...process.env, EDDY_LOG_LEVEL: 'warn' };
    const master = new Daemon('master', process.execPath, [EDDY, 'master', '--listen', masterAddr, '--data-dir', join(work, 'master'), '--token-file', token], { env });
    cleanups.push(async () => { await master.stop(); });
    const rpc = createMasterClient(masterAddr, { token: (await import('node:fs')).readFileSync(token, 'utf8').trim() });
    cleanups.push(async () => { rpc.close(); });
    for (let i = 0; ; i++) {
      try { await rpc.listWorkers({ runtime: 'models' }, { timeoutMs: 1000 }); break; } catch (err) {
        if (i > 100 || master.exited) throw new Error(`master did not start: ${master.output()} ${(err as Error).message}`);
        await sleep(200);
      }
    }
    await rpc.apply({ manifests: s3DatasetManifests(bucket, s3, { blockSize: values['block-size']!, quota: '8Gi', fuseArgs: ['-okernel_cache', '-oro', '-oattr_timeout=60', '-oentry_timeout=60', '-onegative_timeout=60'] }) }, { timeoutMs: 60_000 });
    await rpc.refresh({ dataset: 'models' }, { timeoutMs: 60_000 });
    // EDDY_BENCH_PROFILE=DIR writes CPU profiles of the worker and the mount process there (at exit).
    const prof = process.env['EDDY_BENCH_PROFILE'] ? ['--cpu-prof', '--cpu-prof-dir', process.env['EDDY_BENCH_PROFILE']] : [];
    const worker = new Daemon('worker', process.execPath, [...prof, EDDY, 'worker', '--master', masterAddr, '--runtime', 'models', '--listen', '127.0.0.1:0', '--token-file', token], { env });
    cleanups.push(async () => { await worker.stop(); });
    for (let i = 0; ; i++) {
      const res = await rpc.listWorkers({ runtime: 'models' });
      if (res.workers.some((w) => w.live)) break;
      if (i > 150 || worker.exited) throw new Error(`worker did not register: ${worker.output()}`);
      await sleep(200);
    }
    const mnt = join(work, 'mnt', 'eddy');
    await mkdir(mnt, { recursive: true });
    // EDDY_BENCH_MOUNT_ARGS adds flags to `eddy mount` (e.g. "--readahead 32").
    const mount = new Daemon('mount', process.execPath, [...prof, EDDY, 'mount', '--master', masterAddr, '--dataset', 'models', '--token-file', token, ...(process.env['EDDY_BENCH_MOUNT_ARGS'] ?? '').split(' ').filter(Boolean), mnt], { env: { ...env, EDDY_LOG_LEVEL: 'info' } });
    cleanups.push(async () => {
      await mount.stop();
      await unmount(mnt);
      const stats = /"reads":(\{[^}]*\})/.exec(mount.output())?.[1];
      if (stats) log(`mount read sources: ${stats}`);
    });
    await waitMounted(mnt, mount);

    const ceiling = new CeilingTarget(files, work);
    await ceiling.start();
    cleanups.push(async () => { await ceiling.close(); });

    if (values.hold) {
      // --hold: keep the cluster up for poking at by hand (Ctrl-C ends it and cleans up).
      log(`holding: mount ${mnt}, ceiling ${ceiling.root}, files ${files.map((f) => f.path).join(' ')}`);
      await new Promise<void>((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); });
      return;
    }
    const perRun: Array<Record<string, ReadResult>> = [];
    for (let r = 0; r < runs; r++) {
      const one = files.slice(5 * r, 5 * r + 1);
      const four = files.slice(5 * r + 1, 5 * r + 5);
      const results: Record<string, ReadResult> = {};
      const measure = async (name: string, fn: () => Promise<ReadResult>): Promise<void> => {
        if (cases && !cases.has(name)) return;
        await dropCaches();
        results[name] = await fn();
        log(`run ${r + 1}/${runs} ${name}: ${results[name]!.mbps} MiB/s (${results[name]!.ms} ms)`);
      };
      await measure('direct-1', async () => await directGetWhole(s3.client, bucket, one));
      await measure('direct-4', async () => await directGetWhole(s3.client, bucket, four));
      await measure('ceiling-1', async () => await readParallel(ceiling.root, one));
      await measure('ceiling-4', async () => await readParallel(ceiling.root, four));
      await measure('eddy-cold-1', async () => await readParallel(mnt, one));
      await measure('eddy-cold-4', async () => await readParallel(mnt, four));
      await measure('eddy-warm-1', async () => await readParallel(mnt, one));
      await measure('eddy-warm-4', async () => await readParallel(mnt, four));
      perRun.push(results);
    }

    if (cases) return;
    // Each ratio is taken within one run (references measured minutes apart from Eddy would
    // compare different machine loads), then the median over runs is reported.
    const median = (xs: number[]): number => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
    };
    const round2 = (x: number): number => Math.round(x * 100) / 100;
    const mbps = (r: Record<string, ReadResult>, k: string): number => r[k]!.mbps;
    const rows = [1, 4].flatMap((n) => (['warm', 'cold'] as const).map((state) => {
      const ratios = perRun.map((r) => mbps(r, `eddy-${state}-${n}`) / (state === 'warm' ? mbps(r, `ceiling-${n}`) : Math.min(mbps(r, `direct-${n}`), mbps(r, `ceiling-${n}`))));
      return {
        readers: n, state,
        mbps: round2(median(perRun.map((r) => mbps(r, `eddy-${state}-${n}`)))),
        ceiling: round2(median(perRun.map((r) => mbps(r, `ceiling-${n}`)))),
        direct: round2(median(perRun.map((r) => mbps(r, `direct-${n}`)))),
        ratio: round2(median(ratios)), ratios: ratios.map(round2),
        goal: state === 'warm' ? 0.8 : 0.7, against: state === 'warm' ? 'ceiling' : 'min(direct GET, ceiling)',
      };
    }));
    const report = {
      date: new Date().toISOString(), host: hostname(), cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', node: process.version,
      fileMiB, blockSize: values['block-size'], runs, perRun, rows,
      // Other work on the machine skews every number; the 1-minute load average is kept with them.
      loadAverage1m: { start: loadStart, end: Math.round(loadavg()[0]! * 100) / 100 },
    };
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, 'fuse-read.json'), `${JSON.stringify(report, null, 2)}\n`);
    const md = [
      '# FUSE sequential read (issue 5)',
      '',
      `${report.date}, ${report.host}, ${report.cpus} × ${report.cpuModel}, Node ${report.node}. ${runs} runs (medians; each ratio taken within a run), files of ${fileMiB} MiB, block size ${values['block-size']}, one worker (MEM tier) on the same host (short-circuit reads when warm), \`dd bs=1M\` readers, page cache dropped before each measurement. 1-minute load average ${report.loadAverage1m.start} at the start, ${report.loadAverage1m.end} at the end.`,
      '',
      '| readers | cache | Eddy MiB/s | ceiling MiB/s | direct GET MiB/s | ratio (median; per run) | goal |',
      '|---|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.readers} | ${r.state} | ${r.mbps} | ${r.ceiling} | ${r.direct} | ${r.ratio} vs ${r.against} (${r.ratios.join(', ')}) | ≥ ${r.goal} ${r.ratio >= r.goal ? '✓' : '✗'} |`),
      '',
    ].join('\n');
    await writeFile(join(outDir, 'fuse-read.md'), md);
    process.stdout.write(md);
  } finally {
    for (const c of cleanups.reverse()) await c().catch((err: unknown) => log(`cleanup: ${(err as Error).message}`));
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  log(`failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
});

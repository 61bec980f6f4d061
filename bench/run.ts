// `npm run bench`: sets up the S3 server, the data set, the peers (s3fs, rclone), the references
// (direct GET, the FUSE ceiling) and Eddy on loopback, runs the selected workloads, then the
// emulated-WAN scenario, and writes bench/results/<date>-<host>.json, an SVG chart and
// bench/RESULTS.md. Never asserts timings: it reports them.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, hostname, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { startS3Server, versitygwPath, type S3Endpoint } from '@eddy/testkit';
import { Cleanup, dropCaches, run, versionOf } from './src/exec.js';
import { parseOptions, USAGE, type BenchOptions } from './src/options.js';
import { createFixture } from './src/fixture.js';
import type { BenchContext } from './src/context.js';
import type { FsTarget, S3Access } from './src/targets/target.js';
import { CeilingTarget } from './src/targets/ceiling-target.js';
import { S3fsTarget } from './src/targets/s3fs-target.js';
import { RcloneTarget } from './src/targets/rclone-target.js';
import { S3PassthroughTarget } from './src/targets/s3-passthrough-target.js';
import { eddyFactory, MEM_TIER } from './src/targets/eddy-target.js';
import { AnalysisMismatchError, composeResultsMd } from './src/analysis.js';
import type { RunResults, WorkloadResult } from './src/results.js';
import { modelLoad } from './src/workloads/model-load.js';
import { bigFile } from './src/workloads/big-file.js';
import { randomRead } from './src/workloads/random-read.js';
import { safetensors } from './src/workloads/safetensors.js';
import { sharedFile } from './src/workloads/shared-file.js';
import { pageCache } from './src/workloads/page-cache.js';
import { smallFiles } from './src/workloads/small-files.js';
import { preload } from './src/workloads/preload.js';
import { update } from './src/workloads/update.js';
import { wan } from './src/workloads/wan.js';
import { computeGoals } from './src/goals.js';
import { renderChart, renderMarkdown } from './src/report.js';

/** The workloads the s3-passthrough floor is measured in (the cold and first-read goals). */
const FLOOR_WORKLOADS = new Set(['model-load', 'small-files']);

const log = (m: string): void => { console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}`); };

async function versitygwVersion(): Promise<string> {
  try { return (await readFile(join(dirname(versitygwPath()), 'versitygw.version'), 'utf8')).trim(); } catch { return 'unknown'; }
}

async function machineInfo(): Promise<{ machine: Record<string, string | number>; versions: Record<string, string>; commit: string }> {
  const os = (await versionOf('bash', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"']));
  const commit = (await versionOf('git', ['log', '-1', '--format=%h %s'])).slice(0, 72);
  const hash = (await versionOf('git', ['rev-parse', '--short', 'HEAD']));
  const dirty = (await run('git', ['status', '--porcelain', '--untracked-files=no'], { check: false })).stdout.trim() ? ' (uncommitted changes present)' : '';
  return {
    machine: {
      host: hostname(), cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
      kernel: release(), os,
    },
    versions: {
      eddy: `${commit}${dirty}`,
      node: process.version,
      s3fs: await versionOf('s3fs', ['--version']),
      rclone: await versionOf('rclone', ['version']),
      fio: await versionOf('fio', ['--version']),
      'S3 server': process.env['EDDY_TEST_S3_ENDPOINT'] ? `external (${process.env['EDDY_TEST_S3_ENDPOINT']})` : `versitygw ${await versitygwVersion()}`,
      fuse: await versionOf('fusermount', ['-V']),
      iproute2: await versionOf('ip', ['-V']),
    },
    commit: hash,
  };
}

/** The command to rerun this configuration (the free-text --note is shown separately, not repeated). */
function reproduceCommand(argv: string[]): string {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--note') { i++; continue; }
    if (a.startsWith('--note=')) continue;
    args.push(/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, '\'\\\'\'')}'`);
  }
  return `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`;
}

async function main(argv: string[]): Promise<number> {
  let opts: BenchOptions | 'help';
  try {
    opts = parseOptions(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (opts === 'help') { console.log(USAGE); return 0; }
  const o = opts;
  const startedAt = new Date();
  const loadStart = loadavg();
  const cleanup = new Cleanup();
  const errors: string[] = [];
  const onSignal = (sig: string): void => {
    log(`${sig}: cleaning up`);
    void cleanup.runAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  if (!(await dropCaches())) errors.push('cannot write /proc/sys/vm/drop_caches (not root?): "cold" figures include the page cache');

  const workDir = await mkdtemp(join(tmpdir(), 'eddy-bench-'));
  cleanup.add('work dir', async () => { await rm(workDir, { recursive: true, force: true }); });
  const workloads: WorkloadResult[] = [];
  const targetInfo: Record<string, string> = {};
  const loadByWorkload: Record<string, { start: number; end: number }> = {};
  // The peers' caches on tmpfs by default, like Eddy's MEM tier; on disk (the work dir, where
  // eddy-ssd keeps its tier) with --peer-cache disk.
  const peerCacheRoot = o.peerCache === 'tmpfs' ? join('/dev/shm', `eddy-bench-${process.pid}-peers`) : join(workDir, 'cache');
  cleanup.add('peer caches', async () => { await rm(peerCacheRoot, { recursive: true, force: true }); });
  try {
    const localWorkloads = o.workloads.filter((w) => w !== 'wan');
    // Each worker's MEM tier could hold the whole data set: placement need not be even.
    // (+ one model size for the safetensors checkpoint.)
    const dataBytes = Math.max((o.modelFiles + 1) * o.modelSize + o.smallFiles * o.smallSize, o.modelFiles * o.wanModelSize);
    const eddyOptions = {
      quotaBytes: Math.ceil((dataBytes * 1.3) / 1024 ** 2) * 1024 ** 2,
      workers: 2,
      fuseArgs: ['-okernel_cache', '-oro', '-oattr_timeout=10', '-oentry_timeout=10', '-onegative_timeout=10'],
      dataLoadTimeoutMs: 30 * 60_000,
    };
    const wantEddy = o.targets.some((t) => t.startsWith('eddy'));
    const makeEddy = wantEddy ? await eddyFactory(workDir, eddyOptions, log) : undefined;
    if (wantEddy && !makeEddy) errors.push('Eddy is not runnable yet in this checkout (eddy master/worker/mount/apply missing): Eddy columns are empty');
    if (localWorkloads.length > 0) {
      log('starting the S3 server');
      const s3: S3Endpoint = await startS3Server();
      cleanup.add('S3 server', async () => { await s3.close(); });
      const bucket = await s3.createBucket('eddy-bench');
      const access: S3Access = { endpoint: s3.endpoint, host: s3.host, port: s3.port, accessKey: s3.accessKey, secretKey: s3.secretKey,
        region: s3.region, bucket };
      log(`uploading the data set to ${bucket}`);
      const fixture = await createFixture(s3.client, bucket, { ...o, withSmall: localWorkloads.includes('small-files'),
        safetensorsDir: localWorkloads.includes('safetensors') ? workDir : undefined }, log);
      targetInfo['direct'] = 'MinIO JS client (as Eddy\'s s3:// driver): one GET per object in parallel';
      targetInfo['direct-ranged'] = 'MinIO JS client: 16 MiB ranged GETs, 8 in flight';
      const candidates: FsTarget[] = [];
      const st = fixture.safetensors;
      const ceilingTree = [...fixture.modelFiles, ...fixture.smallFiles, ...(st ? [{ path: st.path, size: st.size, source: st.localPath }] : [])];
      if (o.targets.includes('ceiling')) candidates.push(new CeilingTarget(ceilingTree, workDir));
      if (o.targets.includes('s3fs')) candidates.push(new S3fsTarget(access, workDir, peerCacheRoot));
      if (o.targets.includes('rclone')) candidates.push(new RcloneTarget(access, workDir, peerCacheRoot));
      if (o.targets.includes('s3-passthrough')) candidates.push(new S3PassthroughTarget(access, workDir));
      if (makeEddy && o.targets.includes('eddy')) candidates.push(makeEddy(access, 'local', MEM_TIER));
      if (makeEddy && o.targets.includes('eddy-ssd')) candidates.push(makeEddy(access, 'local', { name: 'eddy-ssd', medium: 'SSD', root: workDir }));
      const targets: FsTarget[] = [];
      for (const t of candidates) {
        try {
          log(`starting ${t.name}`);
          await t.start();
          cleanup.add(t.name, async () => { await t.close(); });
          targets.push(t);
          targetInfo[t.name] = t.describe();
        } catch (err) {
          errors.push(`${t.name} did not start: ${(err as Error).message}`);
          log(`${t.name} did not start: ${(err as Error).message}`);
          await t.close().catch(() => undefined);
        }
      }
      const ctx: BenchContext = {
        opts: o, targets, direct: o.targets.includes('direct'), client: s3.client, access, fixture, workDir, cleanup, log,
        error: (where, err) => { const msg = `${where}: ${(err as Error)?.message ?? String(err)}`; errors.push(msg); log(`ERROR ${msg}`); },
      };
      const table = { 'model-load': modelLoad, 'big-file': bigFile, 'random-read': randomRead, safetensors, 'shared-file': sharedFile,
        'page-cache': pageCache, 'small-files': smallFiles, preload, update } as const;
      for (const w of localWorkloads) {
        log(`workload ${w} (load average ${loadavg()[0]!.toFixed(2)})`);
        const start = loadavg()[0]!;
        // The passthrough floor keeps every range it fetched in memory: in the re-reading workloads
        // it grew to 18 GiB and pushed the machine into memory pressure (2026-12-01-s6-goals), so it
        // takes part only in the two workloads whose goals it is the floor of.
        const here = FLOOR_WORKLOADS.has(w) ? targets : targets.filter((t) => t.name !== 's3-passthrough');
        try {
          workloads.push(await table[w as keyof typeof table]({ ...ctx, targets: here }));
        } catch (err) {
          ctx.error(`workload ${w}`, err);
        }
        loadByWorkload[w] = { start, end: loadavg()[0]! };
      }
      // Free the loopback setup (mounts, caches, /dev/shm) before the WAN scenario starts its own.
      await cleanup.runAll();
      cleanup.add('work dir', async () => { await rm(workDir, { recursive: true, force: true }); });
      await mkdir(workDir, { recursive: true });
    }
    if (o.workloads.includes('wan')) {
      log('workload wan');
      try {
        const wanCtx = { opts: o, cleanup, log, error: (where: string, err: unknown) => { errors.push(`${where}: ${(err as Error)?.message ?? String(err)}`); log(`ERROR ${where}: ${(err as Error)?.message}`); } } as unknown as BenchContext;
        workloads.push(await wan(wanCtx, makeEddy));
      } catch (err) {
        errors.push(`workload wan: ${(err as Error).message}`);
        log(`ERROR wan: ${(err as Error).message}`);
      }
    }
  } finally {
    await cleanup.runAll();
  }

  const { machine, versions, commit } = await machineInfo();
  const date = startedAt.toISOString().slice(0, 10);
  const host = hostname();
  const results: RunResults = {
    meta: {
      date, host, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(),
      command: reproduceCommand(o.argv),
      options: { ...o, argv: undefined },
      machine, versions, loadAverage: { start: loadStart, end: loadavg() }, loadByWorkload, commit,
      note: o.note,
    },
    targets: targetInfo,
    workloads,
    goals: computeGoals(workloads),
    errors,
  };
  await mkdir(o.outDir, { recursive: true });
  const name = o.name ?? `${date}-${host}`;
  const base = join(o.outDir, name);
  await writeFile(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
  const ml = workloads.find((w) => w.name === 'model-load');
  let chartRel: string | undefined;
  if (ml) {
    const svg = `${base}-model-load.svg`;
    await writeFile(svg, renderChart(ml, `${ml.description.split('(')[0]!.trim()} — ${host}, ${date}`));
    chartRel = relative('bench', svg);
  }
  await writeFile(`${base}.md`, renderMarkdown(results, ml ? `${name}-model-load.svg` : undefined, `${name}.json`));
  log(`wrote ${base}.json, ${base}.md${ml ? ` and ${base}-model-load.svg` : ''}`);
  // bench/RESULTS.md follows a run written into bench/results only, and keeps its hand-written
  // analysis only when that names this run's commit (src/analysis.ts); otherwise it is left alone.
  // A named run (--name) is one of several result files kept side by side: it leaves RESULTS.md alone.
  if (resolve(o.outDir) === resolve('bench', 'results') && o.name === undefined) {
    const resultsMd = join('bench', 'RESULTS.md');
    try {
      const previous = await readFile(resultsMd, 'utf8').catch(() => '');
      await writeFile(resultsMd, composeResultsMd(renderMarkdown(results, chartRel, relative('bench', `${base}.json`)), previous, commit));
      log(`wrote ${resultsMd}`);
    } catch (err) {
      if (!(err instanceof AnalysisMismatchError)) throw err;
      log(`${resultsMd} left as it was: ${err.message}; see npm run bench:report`);
    }
  }
  if (errors.length) log(`${errors.length} error(s), see RESULTS.md`);
  return 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
  console.error(`bench failed: ${(err as Error)?.stack ?? String(err)}`);
  process.exitCode = 1;
});

// What a handle pays for the page-cache policy of issue 13 (fuse-client README, "Page cache and
// versions"): a warm file read whole with `dd bs=1M` through an Eddy mount (one worker, MEM tier,
// the block files cached), in the three ways an open can be served:
// - page cache, pages dropped at open (the first open of a version, or after drop_caches);
// - page cache, pages kept (keep_cache: a second open of an unchanged version);
// - direct_io (an open of a new version while a handle of the old one is held open).
// Real processes (@eddy/test-cluster). Not CI: `npx tsc -b && node bench/lib/open-modes.js [--size 256] [--runs 5]`.
// Writes bench/results/open-modes.{json,md}.
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { onceDataLoadManifest } from '@eddy/testkit';
import { EddyCluster, MiB, dropPageCache, eventually, faultManifests, readInChild } from '@eddy/test-cluster';
import { run } from './src/exec.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { size: { type: 'string', default: '256' }, runs: { type: 'string', default: '5' } } });
const SIZE = Number(values.size) * MiB;
const RUNS = Number(values.runs);

const log = (m: string): void => { process.stdout.write(`[open-modes] ${m}\n`); };

/** MiB/s of one `dd bs=1M` of `file` in a child process. */
async function dd(file: string): Promise<number> {
  const r = await run('dd', [`if=${file}`, 'of=/dev/null', 'bs=1M', 'status=none'], { timeoutMs: 600_000 });
  return SIZE / MiB / (r.ms / 1000);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const c = await EddyCluster.start('bench-open-modes');
  try {
    await c.s3.client.putObject(c.bucket, 'model.bin', randomBytes(SIZE), SIZE);
    await c.apply(faultManifests(c.bucket, c.s3, {
      blockSize: '16Mi', quota: `${Math.ceil((3 * SIZE) / MiB) + 64}Mi`,
      fuseArgs: ['-okernel_cache', '-oro', '-oattr_timeout=2', '-oentry_timeout=2', '-onegative_timeout=2'],
    }));
    await c.refresh();
    await c.startWorker({ id: 'w1', tiers: [`MEM:${c.defaultTierDir('w1')}:${Math.ceil((3 * SIZE) / MiB) + 64}Mi`] });
    await c.apply(onceDataLoadManifest('warm', 'models', ['/']));
    await c.waitDataLoad('warm', 300_000);
    const mnt = join(c.root, 'mnt');
    await c.mount(mnt);
    const file = join(mnt, 'model.bin');
    const cases: Record<string, number[]> = { 'page cache, pages dropped': [], 'page cache, pages kept': [], direct_io: [] };

    for (let i = 0; i < RUNS; i++) {
      await dropPageCache();
      cases['page cache, pages dropped']!.push(await dd(file));
      cases['page cache, pages kept']!.push(await dd(file));
    }
    // A handle of the current version held open; the object replaced (same size) and loaded: every
    // open of the new version is direct_io until the held handle is closed.
    const flag = join(c.root, 'held');
    const go = join(c.root, 'go');
    const held = readInChild(file, { pauseAfter: MiB, flagFile: flag, goFile: go, timeoutMs: 1_800_000 });
    await eventually('the held handle', 60_000, async () => (existsSync(flag) ? true : undefined), 20);
    await c.s3.client.putObject(c.bucket, 'model.bin', randomBytes(SIZE), SIZE);
    await c.apply(onceDataLoadManifest('reload', 'models', ['/'], { loadMetadata: true }));
    await c.waitDataLoad('reload', 300_000);
    await new Promise((r) => setTimeout(r, 3000));
    for (let i = 0; i < RUNS; i++) {
      await dropPageCache();
      cases.direct_io!.push(await dd(file));
    }
    writeFileSync(go, '');
    await held;

    const rows = Object.entries(cases).map(([name, xs]) => ({ case: name, medianMiBps: Math.round(median(xs)), runs: xs.map(Math.round) }));
    const env = { cpus: cpus().length, load: loadavg().map((l) => Math.round(l * 10) / 10), date: new Date().toISOString(), sizeMiB: SIZE / MiB };
    const out = join(here, '..', 'results');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'open-modes.json'), `${JSON.stringify({ env, rows }, null, 2)}\n`);
    const md = [
      `# open-modes (${env.date}, ${env.cpus} CPUs, load ${env.load.join(' ')})`, '',
      `\`node bench/lib/open-modes.js --size ${SIZE / MiB} --runs ${RUNS}\`: one ${SIZE / MiB} MiB file cached on one worker (MEM tier),`,
      'read whole with `dd bs=1M` through the mount; MiB/s, median and every run.', '',
      '| case | median MiB/s | runs |', '|---|---|---|',
      ...rows.map((r) => `| ${r.case} | ${r.medianMiBps} | ${r.runs.join(', ')} |`), '',
    ].join('\n');
    await writeFile(join(out, 'open-modes.md'), md);
    log(`\n${md}`);
  } finally {
    await c.close();
  }
}

await main();

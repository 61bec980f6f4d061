// A walk of a listed tree (`find -type f -printf '%s\n'`, a stat per file) through an Eddy mount,
// with the directory read bringing its subtree in one List (listSubtreeEntries, the default) and
// without it (0: one List per directory, as before), alternating in one run so the machine's load
// falls on both alike. Real processes for the master and the worker (@eddy/test-cluster), the mount
// in this process (so its tunable can differ between rounds), kernel caches dropped before each
// walk, a fresh mount each round. Not CI:
//   npx tsc -b && node bench/lib/list-walk.js [--dirs 100] [--files 10] [--rounds 5] [--name list-walk]
// Writes bench/results/NAME.{json,md}.
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { silentLogger } from '@eddy/core';
import { MOUNT_DEFAULTS, mountDataset } from '@eddy/fuse-client';
import { startProcCluster } from '@eddy/test-cluster';
import { dropCaches, run } from './src/exec.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    dirs: { type: 'string', default: '100' }, files: { type: 'string', default: '10' }, rounds: { type: 'string', default: '5' },
    name: { type: 'string', default: 'list-walk' },
  },
});
const DIRS = Number(values.dirs);
const FILES = Number(values.files);
const ROUNDS = Number(values.rounds);
const log = (m: string): void => { process.stdout.write(`[list-walk] ${m}\n`); };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

interface Walk { subtree: number; seconds: number; lists: number; stats: number; load: number }

async function walk(c: Awaited<ReturnType<typeof startProcCluster>>, subtree: number): Promise<Walk> {
  const mnt = await mkdtemp(join(tmpdir(), 'eddy-list-walk-'));
  const handle = await mountDataset({
    masterAddress: c.masterAddress, dataset: 'demo', mountpoint: mnt, token: c.token, logger: silentLogger(),
    // The bench's mount options (bench/src/targets/eddy-target.ts).
    fuseOptions: ['attr_timeout=10', 'entry_timeout=10', 'negative_timeout=10'], listSubtreeEntries: subtree,
  });
  try {
    if (!(await dropCaches())) throw new Error('cannot drop caches (run as root)');
    const load = loadavg()[0] ?? 0;
    const r = await run('sh', ['-c', `find ${mnt}/small -type f -printf '%s\\n' | wc -l`], { timeoutMs: 300_000 });
    if (Number(r.stdout.trim()) !== DIRS * FILES) throw new Error(`find saw ${r.stdout.trim()} files, not ${DIRS * FILES}`);
    return { subtree, seconds: r.ms / 1000, lists: handle.calls.list, stats: handle.calls.stat, load };
  } finally {
    await handle.close();
    await rm(mnt, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const files: Record<string, Buffer> = {};
  for (let d = 0; d < DIRS; d++) for (let f = 0; f < FILES; f++) files[`small/d${String(d).padStart(3, '0')}/f${f}.bin`] = Buffer.alloc(64, d);
  const c = await startProcCluster({ token: 'list-walk-token', files, logLevel: 'warn' });
  const walks: Walk[] = [];
  try {
    const on = MOUNT_DEFAULTS.listSubtreeEntries;
    await walk(c, on); // warm-up: the master's first List after the apply, code loading
    for (let i = 0; i < ROUNDS; i++) {
      for (const subtree of i % 2 === 0 ? [0, on] : [on, 0]) {
        const w = await walk(c, subtree);
        walks.push(w);
        log(`round ${i + 1}: listSubtreeEntries ${subtree}: ${w.seconds.toFixed(3)} s, ${w.lists} Lists, ${w.stats} Stats (load ${w.load.toFixed(1)})`);
      }
    }
  } finally {
    await c.close();
  }
  const off = walks.filter((w) => w.subtree === 0);
  const onW = walks.filter((w) => w.subtree !== 0);
  const [offS, onS] = [median(off.map((w) => w.seconds)), median(onW.map((w) => w.seconds))];
  const result = {
    name: values.name, at: new Date().toISOString(), cpus: cpus().length, dirs: DIRS, filesPerDir: FILES, rounds: ROUNDS, walks,
    medians: { offSeconds: offS, onSeconds: onS, speedup: offS / onS, offLists: median(off.map((w) => w.lists)), onLists: median(onW.map((w) => w.lists)) },
  };
  const out = join(here, '..', 'results');
  writeFileSync(join(out, `${values.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  const range = (xs: number[]): string => `${median(xs).toFixed(3)} (${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)})`;
  const md = [
    '# A walk of a listed tree: one List per directory against the subtree in one List',
    '',
    `Run ${result.at}, ${cpus().length} cores, 1-min load ${Math.min(...walks.map((w) => w.load)).toFixed(1)}–${Math.max(...walks.map((w) => w.load)).toFixed(1)}.`,
    `\`node bench/lib/list-walk.js --dirs ${DIRS} --files ${FILES} --rounds ${ROUNDS} --name ${values.name}\``,
    '',
    `${DIRS} directories × ${FILES} files under small/, \`find -type f -printf '%s\\n'\` through a fresh in-process mount with`,
    'the bench\'s timeouts (10 s), kernel caches dropped first; master and worker are separate processes; rounds alternate',
    'the order of the two settings. Median (min–max) of the rounds.',
    '',
    '| listSubtreeEntries | find, s | List calls | Stat calls |',
    '|---|---:|---:|---:|',
    `| 0 (one List per directory) | ${range(off.map((w) => w.seconds))} | ${result.medians.offLists} | ${median(off.map((w) => w.stats))} |`,
    `| ${MOUNT_DEFAULTS.listSubtreeEntries} (default) | ${range(onW.map((w) => w.seconds))} | ${result.medians.onLists} | ${median(onW.map((w) => w.stats))} |`,
    '',
    `Speed-up of the median: ${(offS / onS).toFixed(2)}×.`,
    '',
  ].join('\n');
  writeFileSync(join(out, `${values.name}.md`), md);
  log(`wrote results/${values.name}.{json,md}: ${(offS / onS).toFixed(2)}×`);
}

await main();

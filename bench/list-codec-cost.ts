// The CPU a subtree List costs in protobuf work, on the master (serializing the reply) and on the
// mount (deserializing it): a reply of DIRS directories × FILES files, each file with one block
// located on one worker, as the small-files bench's first readdir gets it. Each measurement is a
// fresh process (the first call of a type pays for generating its codecs), in CPU time, not wall
// time, so the machine's load weighs on it less; trees alternate round by round. Not CI:
//   npx tsc -b && node bench/lib/list-codec-cost.js --before /work/wt-base --after . [--rounds 5] [--name list-codec-cost]
// With a tree that has warmMessageCodecs (as the master and the mount run it at start, with
// exerciseList), its cost is measured apart and the first List comes after it. Writes bench/results/NAME.{json,md}.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    before: { type: 'string' }, after: { type: 'string', default: '.' }, rounds: { type: 'string', default: '5' },
    dirs: { type: 'string', default: '100' }, files: { type: 'string', default: '10' }, name: { type: 'string', default: 'list-codec-cost' },
    child: { type: 'string' },
  },
});
const DIRS = Number(values.dirs);
const FILES = Number(values.files);

interface Costs { warmMs: number; firstEncodeMs: number; firstDecodeMs: number; encodeMs: number; decodeMs: number; bytes: number }
interface Method { responseSerialize(v: object): Buffer; responseDeserialize(b: Buffer): object }
interface ProtocolModule {
  loadEddyProto(): { master: { eddy: { v1: { Master: { service: { List: Method } } } } } };
  warmMessageCodecs?: (first: 'Master' | 'Worker', options?: { exerciseList?: boolean }) => Promise<number>;
}

function reply(): object {
  const worker = { workerId: 'w1', dataAddress: '127.0.0.1:4001', hostId: 'h1', grpcAddress: '127.0.0.1:5001' };
  const info = (path: string, isDir: boolean): object => ({ path, size: isDir ? 0 : 65536, version: `"${'e'.repeat(32)}"`, mtimeMs: 1_764_620_000_000, isDir, versionId: '' });
  const subdirs = Array.from({ length: DIRS }, (_, d) => {
    const dir = `/small/d${String(d).padStart(3, '0')}`;
    const paths = Array.from({ length: FILES }, (_, f) => `${dir}/f${f}.bin`);
    return {
      path: dir, entries: paths.map((p) => info(p, false)),
      located: paths.map((p) => ({ path: p, blocks: [{ index: 0, key: `${'k'.repeat(40)}${p}`, length: 65536, holders: [worker], preferred: worker }] })),
    };
  });
  return { entries: subdirs.map((s) => info(s.path, true)), nextPageToken: '', located: [], blockSize: 4 << 20, subdirs };
}

/** CPU milliseconds (user + system) `fn` takes. */
function cpu(fn: () => void): number {
  const t = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

async function child(tree: string): Promise<void> {
  const m = await import(pathToFileURL(join(tree, 'packages/protocol/lib/src/index.js')).href) as ProtocolModule;
  const list = m.loadEddyProto().master.eddy.v1.Master.service.List;
  let warmMs = 0;
  if (m.warmMessageCodecs) {
    const t = process.cpuUsage();
    await m.warmMessageCodecs('Master', { exerciseList: true });
    const d = process.cpuUsage(t);
    warmMs = (d.user + d.system) / 1000;
    // A daemon's first request comes later than right away: V8 finishes compiling on its background threads meanwhile.
    await sleep(200);
  }
  const value = reply();
  let bytes: Buffer = Buffer.alloc(0);
  const firstEncodeMs = cpu(() => { bytes = list.responseSerialize(value); });
  const firstDecodeMs = cpu(() => { list.responseDeserialize(bytes); });
  const enc: number[] = [];
  const dec: number[] = [];
  for (let i = 0; i < 20; i++) {
    const v = reply();
    enc.push(cpu(() => { bytes = list.responseSerialize(v); }));
    dec.push(cpu(() => { list.responseDeserialize(bytes); }));
  }
  const out: Costs = { warmMs, firstEncodeMs, firstDecodeMs, encodeMs: median(enc), decodeMs: median(dec), bytes: bytes.length };
  process.stdout.write(JSON.stringify(out));
}

function measure(tree: string): Costs {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', tree, '--dirs', String(DIRS), '--files', String(FILES)]);
  return JSON.parse(out.toString()) as Costs;
}

async function main(): Promise<void> {
  if (values.child) return await child(values.child);
  if (!values.before) throw new Error('--before TREE is required (a built worktree at the branch point)');
  const trees = { before: resolve(values.before), after: resolve(values.after) };
  const runs: Record<'before' | 'after', Costs[]> = { before: [], after: [] };
  const loads: number[] = [];
  for (let r = 0; r < Number(values.rounds); r++) {
    loads.push(loadavg()[0] ?? 0);
    for (const k of (r % 2 === 0 ? ['before', 'after'] : ['after', 'before']) as ('before' | 'after')[]) runs[k].push(measure(trees[k]));
  }
  const keys: (keyof Costs)[] = ['warmMs', 'firstEncodeMs', 'firstDecodeMs', 'encodeMs', 'decodeMs', 'bytes'];
  const med = (k: 'before' | 'after', f: keyof Costs): number => median(runs[k].map((c) => c[f]));
  const md = [
    `# List codec cost: ${DIRS} dirs × ${FILES} files with locations, CPU ms, median of ${values.rounds} fresh processes`,
    '',
    `Command: \`node bench/lib/list-codec-cost.js --before ${values.before} --after ${values.after} --rounds ${values.rounds}\`.`,
    `Load average (1 min) at each round: ${loads.map((l) => l.toFixed(1)).join(', ')}.`,
    '',
    '| | before | after |',
    '|---|---|---|',
    ...keys.map((f) => `| ${f} | ${med('before', f).toFixed(1)} | ${med('after', f).toFixed(1)} |`),
    '',
    'warmMs: warmMessageCodecs with exerciseList at start (a daemon, before any request; 200 ms pass before the first List);',
    'firstEncode/firstDecode: the first List reply in',
    'the process (the master serializing it, the mount deserializing it); encode/decode: median of 20 more.',
    '',
  ].join('\n');
  const base = join(here, '..', 'results', values.name);
  writeFileSync(`${base}.json`, JSON.stringify({ dirs: DIRS, files: FILES, loads, runs }, null, 2) + '\n');
  writeFileSync(`${base}.md`, md);
  process.stdout.write(md);
}

await main();

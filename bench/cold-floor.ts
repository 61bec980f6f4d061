// The floor of a cold read on this machine: the least work any caching worker must do per byte,
// measured in one Node process. The same 16 MiB ranged GETs as the bench's direct-ranged target
// (8 in flight, the MinIO JS client, the `--quick` model-load data set: 4 × 256 MiB in bucket
// eddy-bench), with what is done to each range's bytes as the variable:
//   drop          count and drop them (the bench's direct-ranged reference)
//   shm           write each range to its own file on /dev/shm (writeSync per chunk, as the MEM tier does)
//   shm-crc       the same plus CRC32C of each chunk (@node-rs/crc32, the worker's library)
//   huge-crc      shm-crc on a tmpfs mounted with huge=always (mounted here, unmounted after)
//   huge          shm on that huge tmpfs
//   shm-crc-4m    shm-crc with 4 MiB ranges, 8 in flight
//   worker-4m, worker-8m, worker-16m
//                 the worker's own read-through (ReadThrough over a BlockStore with a MEM tier on
//                 /dev/shm, the s3:// driver), 16 MiB blocks, 8 blocks in flight, each fetched as
//                 ranged GETs of 4, 8 or 16 MiB (4 parts of a block in flight): the same bytes
//                 through the real code, in the same process, beside the floor
// Variants run in turn within each pass (the order rotates), median of --passes; for each, the
// wall time, this process's CPU (user + system, process.cpuUsage) and the S3 server's (from
// /proc/PID/stat), both per GiB read.
//   node bench/lib/cold-floor.js [--passes 3] [--variants drop,shm,...] [--name 2026-12-01-coldworker-floor]   (as root)
// Writes bench/results/<name>.json and .md.
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Readable } from 'node:stream';
import pLimit from 'p-limit';
import { crc32c } from '@node-rs/crc32';
import { startS3Server, type S3Endpoint } from '@eddy/testkit';
import { blockCount, blockKey } from '@eddy/core';
import { BlockStore, ReadThrough, StaticMountResolver, UfsLocator, validateBlockRef } from '@eddy/worker';
import { modelPaths, putRandomObject, type FixtureFile } from './src/fixture.js';

const here = dirname(fileURLToPath(import.meta.url));
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const ALL = ['drop', 'shm', 'shm-crc', 'huge', 'huge-crc', 'shm-crc-4m', 'worker-4m', 'worker-8m', 'worker-16m'] as const;
type Variant = typeof ALL[number];

const { values } = parseArgs({ options: {
  passes: { type: 'string', default: '3' },
  variants: { type: 'string', default: ALL.join(',') },
  name: { type: 'string', default: '2026-12-01-coldworker-floor' },
  out: { type: 'string', default: join(here, '..', 'results') },
} });
const passes = Number(values.passes);
const variants = values.variants!.split(',') as Variant[];
for (const v of variants) if (!ALL.includes(v)) throw new Error(`unknown variant ${v}; known: ${ALL.join(', ')}`);

function log(m: string): void { process.stderr.write(`[cold-floor] ${m}\n`); }

/** utime + stime of a process, in seconds (USER_HZ = 100 on Linux). */
async function procCpu(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Sink { chunk(buf: Buffer): void; end(): void }

/** What a variant does with one range's bytes. */
function sinkFor(variant: Variant, dir: string | undefined, name: string): Sink {
  const crc = variant.includes('crc');
  if (dir === undefined) return { chunk: () => undefined, end: () => undefined };
  const fd = openSync(join(dir, name), 'w', 0o600);
  let at = 0;
  let sum = 0;
  return {
    chunk(buf) {
      for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off, buf.length - off, at + off);
      at += buf.length;
      if (crc) sum = crc32c(buf, sum);
    },
    // The sum is computed and dropped: the worker keeps it, but the cost is the same.
    end() { closeSync(fd); },
  };
}

async function drain(stream: Readable, sink: Sink): Promise<number> {
  let n = 0;
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (c: Buffer) => { n += c.length; sink.chunk(c); });
    stream.once('end', resolve);
    stream.once('error', reject);
  });
  sink.end();
  return n;
}

const BLOCK = 16 * MiB;

/** The worker's read-through of every block of `files` into a fresh MEM tier under `root`; returns the bytes fetched. */
async function workerRead(s3: S3Endpoint, bucket: string, files: FixtureFile[], root: string, partBytes: number): Promise<number> {
  const store = await BlockStore.open({ runtime: 'floor', fsync: false,
    tiers: [{ medium: 'MEM', path: join(root, 'tier'), quotaBytes: 2 * GiB, high: 0.95, low: 0.8 }] });
  const options = { 'fs.s3.endpoint': s3.endpoint, 'fs.s3.region': s3.region, 'fs.s3.pathStyleAccess': 'true',
    'fs.s3.accessKeyId': s3.accessKey, 'fs.s3.accessKeySecret': s3.secretKey };
  const locator = new UfsLocator({ resolver: new StaticMountResolver({ ds: { mounts: [{ url: `s3://${bucket}/`, path: '/', options }], blockSize: BLOCK } }) });
  const rt = new ReadThrough({ store, locator, fetchPartBytes: partBytes });
  try {
    const limit = pLimit(8);
    const jobs: Promise<number>[] = [];
    for (const f of files) {
      const version = (await s3.client.statObject(bucket, f.path)).etag;
      const path = `/${f.path}`;
      for (let index = 0; index < blockCount(f.size, BLOCK); index++) {
        const ref = validateBlockRef({ key: blockKey('ds', path, version, index, BLOCK), dataset: 'ds', path, version, index, blockSize: BLOCK,
          fileSize: f.size, versionId: '' });
        jobs.push(limit(async () => {
          const r = await rt.fetch(ref).done;
          if (!r.stored) throw new Error(`block ${index} of ${path} was not stored`);
          return r.bytes;
        }));
      }
    }
    return (await Promise.all(jobs)).reduce((a, b) => a + b, 0);
  } finally {
    rt.close();
    await store.close();
  }
}

interface Sample { seconds: number; mibps: number; cpuPerGiB: number; serverCpuPerGiB: number }

async function main(): Promise<void> {
  const load = [loadavg()[0]!];
  const s3 = await startS3Server();
  const huge = await mkdtemp('/tmp/coldworker-huge-');
  let mounted = false;
  const shm = join('/dev/shm', `coldworker-floor-${process.pid}`);
  try {
    const bucket = await s3.createBucket('eddy-bench');
    const files: FixtureFile[] = modelPaths(4, 256 * MiB);
    log(`uploading ${files.length} × 256 MiB`);
    for (const f of files) await putRandomObject(s3.client, bucket, f.path, f.size);
    if (variants.some((v) => v.startsWith('huge'))) {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2g,huge=always,mode=0700', 'tmpfs', huge]);
      mounted = true;
    }
    await mkdir(shm, { recursive: true });
    const serverPid = s3.process?.pid;
    const samples = new Map<Variant, Sample[]>(variants.map((v) => [v, []]));
    const total = files.reduce((s, f) => s + f.size, 0);
    for (let p = 0; p < passes; p++) {
      const order = variants.map((_, i) => variants[(i + p) % variants.length]!);
      for (const v of order) {
        const dir = v === 'drop' ? undefined : v.startsWith('worker-') ? shm : v.startsWith('huge') ? huge : shm;
        const range = v.endsWith('-4m') ? 4 * MiB : 16 * MiB;
        const limit = pLimit(8);
        const cpu0 = process.cpuUsage();
        const server0 = serverPid === undefined ? 0 : await procCpu(serverPid);
        const t0 = performance.now();
        const jobs: Promise<number>[] = [];
        if (v.startsWith('worker-')) jobs.push(workerRead(s3, bucket, files, shm, Number(v.slice(7, -1)) * MiB));
        else for (const f of files) {
          for (let off = 0; off < f.size; off += range) {
            const len = Math.min(range, f.size - off);
            const name = `${f.path.replace(/\//g, '_')}-${off}`;
            jobs.push(limit(async () => {
              const stream = await s3.client.getPartialObject(bucket, f.path, off, len);
              return await drain(stream, sinkFor(v, dir, name));
            }));
          }
        }
        const bytes = (await Promise.all(jobs)).reduce((a, b) => a + b, 0);
        const seconds = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        const server = serverPid === undefined ? 0 : (await procCpu(serverPid)) - server0;
        if (bytes !== total) throw new Error(`${v}: read ${bytes} of ${total} bytes`);
        const s: Sample = { seconds, mibps: bytes / MiB / seconds, cpuPerGiB: (cpu.user + cpu.system) / 1e6 / (bytes / GiB),
          serverCpuPerGiB: server / (bytes / GiB) };
        samples.get(v)!.push(s);
        log(`pass ${p + 1} ${v}: ${s.mibps.toFixed(0)} MiB/s, ${s.cpuPerGiB.toFixed(2)} s CPU/GiB here, ${s.serverCpuPerGiB.toFixed(2)} s in the S3 server`);
        // Free the tier pages before the next variant, as eviction would.
        if (dir !== undefined) for (const n of await readdir(dir)) await rm(join(dir, n), { recursive: true, force: true });
      }
    }
    load.push(loadavg()[0]!);
    await report(samples, load);
  } finally {
    await rm(shm, { recursive: true, force: true });
    if (mounted) execFileSync('umount', [huge]);
    await rm(huge, { recursive: true, force: true });
    await s3.close();
  }
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

async function report(samples: Map<Variant, Sample[]>, load: number[]): Promise<void> {
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const rows = [...samples].map(([v, s]) => ({
    variant: v, mibps: median(s.map((x) => x.mibps)), mibpsMin: Math.min(...s.map((x) => x.mibps)), mibpsMax: Math.max(...s.map((x) => x.mibps)),
    cpuPerGiB: median(s.map((x) => x.cpuPerGiB)), serverCpuPerGiB: median(s.map((x) => x.serverCpuPerGiB)), samples: s,
  }));
  const meta = { commit, date: new Date().toISOString(), cpus: cpus().length, load1: load, passes,
    command: `node bench/lib/cold-floor.js --passes ${passes} --variants ${variants.join(',')} --name ${values.name}` };
  await mkdir(values.out!, { recursive: true });
  await writeFile(join(values.out!, `${values.name}.json`), `${JSON.stringify({ meta, rows }, null, 2)}\n`);
  const md = [
    `# Cold-read floor: ranged GETs and what is done with the bytes (${values.name})`, '',
    `Commit ${commit}, ${meta.date}, ${meta.cpus} CPUs, 1-min load ${load.map((l) => l.toFixed(1)).join(' → ')}.`,
    `4 × 256 MiB (the \`--quick\` model-load files), 16 MiB ranged GETs, 8 in flight, MinIO JS client, one Node process; median of ${passes} (min–max).`,
    '', '```sh', meta.command, '```', '',
    '| variant | MiB/s | CPU per GiB, this process (s) | CPU per GiB, S3 server (s) |', '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.variant} | ${r.mibps.toFixed(0)} (${r.mibpsMin.toFixed(0)}–${r.mibpsMax.toFixed(0)}) | ${r.cpuPerGiB.toFixed(2)} | ${r.serverCpuPerGiB.toFixed(2)} |`),
    '',
  ].join('\n');
  await writeFile(join(values.out!, `${values.name}.md`), md);
  process.stdout.write(md);
}

main().catch((err: unknown) => { log(String((err as Error).stack ?? err)); process.exitCode = 1; });

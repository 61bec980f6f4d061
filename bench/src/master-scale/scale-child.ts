// One scale point of the master-scale bench, run in a fresh process (`node --expose-gc`) so its
// memory figures are its own: a real master (startMaster, gRPC on loopback) over a SIMULATED
// listing of N files (simulated-ufs.ts), N blocks reported by W simulated workers (in-process
// RegisterWorker/Heartbeat calls shaped as the wire delivers them), then lookups in-process and
// over gRPC. Prints one JSON object (ScalePoint) on stdout.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { blockKey, silentLogger } from '@eddy/core';
import { startMaster, type MasterCore } from '@eddy/master';
import { createMasterClient, type proto } from '@eddy/protocol';
import { FILES_PER_DIR, simPath, simVersion, simulatedUfs } from './simulated-ufs.js';
import { percentiles, type Percentiles } from './percentiles.js';
import { overlapped, recordGcs } from './gc-overlap.js';

const DATASET = 'scale';
const TOKEN = 'master-scale-bench';
const BLOCK_SIZE = 16 * 1024 * 1024;

export interface ScalePoint {
  files: number;
  blocks: number;
  workers: number;
  memory: {
    /** Bytes of RSS / V8 heap after a full GC, at each step. */
    idle: { rss: number; heap: number };
    listed: { rss: number; heap: number };
    currentBlocks: { rss: number; heap: number };
    placed: { rss: number; heap: number };
  };
  /** Process CPU ms of the in-process steps (see timed()). */
  cpuMs: {
    firstListing: number;
    currentBlockIndex: number;
    refreshWithBlocks: number;
    register: Percentiles;
    heartbeatEmpty: Percentiles;
    heartbeatDelta: Percentiles;
    locationsInProcess: Percentiles;
    listInProcess: Percentiles;
  };
  /** Wall ms. */
  ms: {
    firstListing: number;
    currentBlockIndex: number;
    refreshWithBlocks: number;
    register: Percentiles;
    heartbeatEmpty: Percentiles;
    heartbeatDelta: Percentiles;
    locationsInProcess: Percentiles;
    locationsGrpc: Percentiles;
    listInProcess: Percentiles;
    listGrpc: Percentiles;
  };
  heartbeatDeltaKeys: number;
  /**
   * The in-process GetBlockLocations samples that a GC overlapped (gc-overlap.ts), and the
   * percentiles of those it did not. Absent in runs before it was measured.
   */
  locationsGc?: { gcs: number; majorGcs: number; gcMs: number; samplesWithGc: number; cpuWithoutGc: Percentiles; wallWithoutGc: Percentiles };
}

function mem(): { rss: number; heap: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

function manifests(workers: number): string {
  return `apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: ${DATASET}}
spec:
  mounts:
    - {mountPoint: "s3://simulated/bucket", name: ${DATASET}}
---
apiVersion: data.fluid.io/v1alpha1
kind: JindoRuntime
metadata: {name: ${DATASET}}
spec:
  replicas: ${workers}
  blockSize: 16Mi
  tieredstore:
    levels:
      - {mediumtype: MEM, path: /dev/shm, quota: 100Gi, high: "0.99", low: "0.8"}
`;
}

function tier(): proto.TierInfo__Output {
  return { medium: 'MEM', path: '/dev/shm', quotaBytes: 100 * 1024 ** 3, usedBytes: 0, high: 0.99, low: 0.8 };
}

function heartbeat(workerId: string, added: string[], removed: string[]): proto.HeartbeatRequest__Output {
  return { workerId, added, removed, tiers: [tier()], counters: null };
}

/**
 * Wall ms of fn; its process CPU ms go to `cpu` when given. On the shared machine the wall time
 * mostly measures the neighbours (load average 20+ on 2 cores): CPU time is the master's own
 * cost, what an idle core would take for in-process work.
 */
async function timed(fn: () => unknown, cpu?: number[]): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  if (cpu) {
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return wall;
}

/** A deterministic pseudo-random sequence (so runs sample the same files). */
function sampler(n: number, seed = 12345): () => number {
  let x = seed;
  return () => { x = (x * 1103515245 + 12345) % 2147483648; return x % n; };
}

/**
 * `n` in-process GetBlockLocations of pseudo-random files (seeded), each timed (wall and CPU) with its span.
 * A function of its own, called once to warm up and once to measure: V8 optimises the lookup path
 * on its background compiler threads during the first calls, and a timing loop inside main()
 * gets main() itself recompiled (on-stack replacement of a very large function, ~0.2 s of CPU at
 * load 16). process.cpuUsage() charges that background work to whichever calls were running, so
 * unwarmed it set the p99 (2.9, 4.5 and 1.5 ms in three runs of one commit).
 */
async function sampleLocations(
  core: MasterCore, files: number, n: number, seed: number,
): Promise<{ wall: number[]; cpu: number[]; spans: Array<[number, number]> }> {
  const pick = sampler(files, seed);
  const out = { wall: [] as number[], cpu: [] as number[], spans: [] as Array<[number, number]> };
  for (let s = 0; s < n; s++) {
    const req: proto.GetBlockLocationsRequest__Output = { dataset: DATASET, path: simPath(pick()), version: '', offset: 0, length: 0, size: 0 };
    const t0 = performance.now();
    out.wall.push(await timed(async () => {
      const r = await core.datasets.getBlockLocations(req);
      if (r.blocks?.[0]?.holders?.length !== 1) throw new Error(`${req.path}: expected one holder`);
    }, out.cpu));
    out.spans.push([t0, performance.now()]);
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { files: { type: 'string' }, workers: { type: 'string', default: '100' }, samples: { type: 'string', default: '5000' } } });
  const files = Number(values.files);
  const workers = Number(values.workers);
  const samples = Number(values.samples);
  const root = await mkdtemp(join(tmpdir(), 'eddy-master-scale-'));
  const master = await startMaster({
    listen: '127.0.0.1:0', dataDir: join(root, 'data'), token: TOKEN, logger: silentLogger(),
    createUfs: () => simulatedUfs(files), workerTimeoutMs: 3_600_000, applyListingWaitMs: 0,
  });
  const cli = createMasterClient(master.address, { token: TOKEN });
  const core = master.core;
  const cpu = { first: [] as number[], index: [] as number[], refresh: [] as number[], register: [] as number[],
    hbEmpty: [] as number[], hbDelta: [] as number[], locIn: [] as number[], listIn: [] as number[] };
  try {
    const idle = mem();
    await core.apply(manifests(workers));
    const firstListing = await timed(() => core.datasets.refreshCounts(DATASET), cpu.first);
    const listed = mem();
    const currentBlockIndex = await timed(() => core.datasetStatus(DATASET), cpu.index);
    const currentBlocks = mem();

    // Each worker reports the blocks i ≡ w (mod workers), keyed as the worker computes them.
    const register: number[] = [];
    for (let w = 0; w < workers; w++) {
      const keys: string[] = [];
      for (let i = w; i < files; i += workers) keys.push(blockKey(DATASET, simPath(i), simVersion(i), 0, BLOCK_SIZE));
      const req: proto.RegisterWorkerRequest__Output = {
        workerId: `w${w}`, runtime: DATASET, tiers: [tier()], blockKeys: keys,
        address: { workerId: `w${w}`, dataAddress: `10.0.${w >> 8}.${w & 255}:7001`, hostId: `host-${w}`, grpcAddress: `10.0.${w >> 8}.${w & 255}:7000` },
      };
      register.push(await timed(() => core.workers.register(req), cpu.register));
    }
    const placed = mem();

    // Heartbeats: empty, and a delta of `delta` keys out then back in (eviction, then a reload).
    const delta = Math.min(100, Math.floor(files / workers));
    const hbEmpty: number[] = [];
    const hbDelta: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (let w = 0; w < workers; w++) {
        hbEmpty.push(await timed(() => core.workers.heartbeat(heartbeat(`w${w}`, [], [])), cpu.hbEmpty));
        const keys: string[] = [];
        for (let k = 0, i = w + round * delta * workers; k < delta && i < files; k++, i += workers) {
          keys.push(blockKey(DATASET, simPath(i), simVersion(i), 0, BLOCK_SIZE));
        }
        hbDelta.push(await timed(() => core.workers.heartbeat(heartbeat(`w${w}`, [], keys)), cpu.hbDelta));
        hbDelta.push(await timed(() => core.workers.heartbeat(heartbeat(`w${w}`, keys, [])), cpu.hbDelta));
      }
    }

    // The lookups start on a collected heap (a marking cycle the reports above set off is their
    // cost) and warm (sampleLocations says why); the warm-up also covers the sweeping that the
    // full GC leaves to V8's helper threads, another cost process.cpuUsage() would charge to them.
    mem();
    await sampleLocations(core, files, Math.min(samples, 1_000), 999);
    const pick = sampler(files);
    const gcs = recordGcs();
    const lookups = await sampleLocations(core, files, samples, 12345);
    const gcSpans = await gcs.stop();
    const locIn = lookups.wall;
    cpu.locIn.push(...lookups.cpu);
    const withGc = overlapped(lookups.spans, gcSpans);
    const locationsGc = {
      gcs: gcSpans.length, majorGcs: gcSpans.filter((g) => g.major).length,
      gcMs: Math.round(gcSpans.reduce((a, g) => a + g.end - g.start, 0) * 1000) / 1000,
      samplesWithGc: withGc.filter(Boolean).length,
      cpuWithoutGc: percentiles(cpu.locIn.filter((_, i) => !withGc[i])),
      wallWithoutGc: percentiles(locIn.filter((_, i) => !withGc[i])),
    };
    const locGrpc: number[] = [];
    for (let s = 0; s < Math.min(samples, 500); s++) {
      const path = simPath(pick());
      locGrpc.push(await timed(() => cli.getBlockLocations({ dataset: DATASET, path, version: '', offset: 0, length: 0 })));
    }
    const dirs = Math.ceil(files / FILES_PER_DIR);
    const pickDir = sampler(dirs, 777);
    const dirPath = (): string => `/d${String(pickDir()).padStart(5, '0')}`;
    const listIn: number[] = [];
    for (let s = 0; s < Math.min(samples, 300); s++) {
      const p = dirPath();
      listIn.push(await timed(() => core.datasets.list(DATASET, p, '', FILES_PER_DIR), cpu.listIn));
    }
    const listGrpc: number[] = [];
    for (let s = 0; s < Math.min(samples, 100); s++) {
      const p = dirPath();
      listGrpc.push(await timed(() => cli.list({ dataset: DATASET, path: p, pageToken: '', pageSize: FILES_PER_DIR })));
    }
    // A refresh with every block placed: re-list, rebuild the tree, recompute the current block
    // keys and re-check every held block for a replaced version.
    const refreshWithBlocks = await timed(async () => {
      await core.datasets.refreshCounts(DATASET);
      core.datasetStatus(DATASET);
    }, cpu.refresh);
    const point: ScalePoint = {
      files, blocks: files, workers,
      memory: { idle, listed, currentBlocks, placed },
      cpuMs: {
        firstListing: cpu.first[0] ?? 0, currentBlockIndex: cpu.index[0] ?? 0, refreshWithBlocks: cpu.refresh[0] ?? 0,
        register: percentiles(cpu.register), heartbeatEmpty: percentiles(cpu.hbEmpty), heartbeatDelta: percentiles(cpu.hbDelta),
        locationsInProcess: percentiles(cpu.locIn), listInProcess: percentiles(cpu.listIn),
      },
      ms: {
        firstListing, currentBlockIndex, refreshWithBlocks,
        register: percentiles(register), heartbeatEmpty: percentiles(hbEmpty), heartbeatDelta: percentiles(hbDelta),
        locationsInProcess: percentiles(locIn), locationsGrpc: percentiles(locGrpc),
        listInProcess: percentiles(listIn), listGrpc: percentiles(listGrpc),
      },
      heartbeatDeltaKeys: delta,
      locationsGc,
    };
    process.stdout.write(`${JSON.stringify(point)}\n`);
  } finally {
    cli.close();
    await master.close();
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`master-scale child failed: ${(err as Error)?.stack ?? String(err)}`);
  process.exitCode = 1;
});

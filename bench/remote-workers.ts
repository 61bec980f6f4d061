// Issue 17 item 6, remote workers: on Kubernetes the FUSE client often runs on a node without the
// block's worker, so the bytes cross the network. Here the master, two workers and the S3 server
// run in the host's network namespace and the FUSE mount in its own (a second host), joined by
// one unshaped veth pair. The mount's host id differs from the workers', so no read is
// short-circuited: every byte comes over the data channel across the veth (its byte counter is
// recorded per pass). Measured, each the median of --passes passes, interleaved so a change of the
// machine's load moves all alike:
//   eddy     warm model load: the shards read whole in parallel (dd | cksum, checked against the
//            uploaded bytes) after a DataLoad, page cache dropped before each pass;
//   raw-tcp  the same bytes as plain TCP streams (one per shard) from the host's namespace to the
//            mount's, over the same veth (bench/src/remote/tcp-stream.ts);
//   ceiling  bench/null-fs.ts serving the same sizes from memory, read the same way (no network);
//   fuse-over-tcp  the floor (a measurement tool, not a product): bench/tcp-fs.ts mounted in the
//            mount's namespace, each open one raw TCP stream from the same sender, read the same way:
//            TCP + FUSE on the same cores with no Eddy code.
// Goals (bench/src/goals.ts, computeRemoteWorkerGoals): eddy ≥ 0.8 × raw-tcp, ≥ 0.6 × ceiling,
// each with the floor's own ratio beside it (below the target: out of reach for any FUSE client here).
//   npx tsc -b bench && node bench/lib/remote-workers.js [--quick] [--size MiB] [--passes 3] [--out bench/results] [--note t] [--name N]
// As root (network namespaces, FUSE, drop_caches). Writes <out>/<date>-remote-workers[-quick].json and .md, or <out>/N.json and .md.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, hostname, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as Minio from 'minio';
import { freePort, s3DatasetManifests, TEST_ACCESS_KEY, TEST_SECRET_KEY, versitygwPath, waitFor } from '@eddy/testkit';
import { Daemon, dropCaches, run } from './src/exec.js';
import { createFixture, expected, type Fixture, type FixtureFile } from './src/fixture.js';
import { computeRemoteWorkerGoals } from './src/goals.js';
import { readParallel, type ReadResult } from './src/read.js';
import { RegionCluster } from './src/region/region-cluster.js';
import { FuseOverTcp } from './src/remote/fuse-over-tcp.js';
import { counterDelta, scrape, type MetricsEndpoint } from './src/remote/byte-counters.js';
import { startTcpSender, TCP_STREAM_SCRIPT, type SinkResult } from './src/remote/tcp-stream.js';
import { goalTable, renderWorkload } from './src/report.js';
import { metric, recordPasses, type Goal, type Metric, type WorkloadResult } from './src/results.js';
import { CeilingTarget } from './src/targets/ceiling-target.js';
import { WanLink } from './src/wan/wan-link.js';

const here = dirname(fileURLToPath(import.meta.url));
const MiB = 1024 ** 2;
const SHARDS = 4;
const FUSE_ARGS = ['-okernel_cache', '-oro', '-oattr_timeout=10', '-oentry_timeout=10', '-onegative_timeout=10'];

const { values } = parseArgs({ options: {
  quick: { type: 'boolean', default: false }, size: { type: 'string' }, passes: { type: 'string', default: '3' },
  out: { type: 'string', default: join(here, '..', 'results') }, note: { type: 'string', default: '' },
  // A result name of one's own (e.g. 2026-12-01-remote-after) so that side-by-side runs do not overwrite each other.
  name: { type: 'string' },
  // Which rows to measure (comma-separated); a load test of Eddy alone: --targets eddy.
  targets: { type: 'string', default: 'eddy,raw-tcp,ceiling,fuse-over-tcp' },
} });
const TARGETS = ['eddy', 'raw-tcp', 'ceiling', 'fuse-over-tcp'] as const;
type Target = typeof TARGETS[number];
const targets = new Set(values.targets.split(',').map((t) => t.trim()));
for (const t of targets) if (!(TARGETS as readonly string[]).includes(t)) throw new Error(`--targets: unknown target ${t} (${TARGETS.join(', ')})`);
const want = (t: Target): boolean => targets.has(t);
const shardBytes = (values.size ? Number(values.size) : values.quick ? 256 : 1024) * MiB;
const passes = Number(values.passes);
if (!Number.isInteger(passes) || passes < 1) throw new Error('--passes must be a positive integer');
if (values.name !== undefined && !/^[\w.-]+$/.test(values.name)) throw new Error('--name must be a plain file name (letters, digits, . _ -)');
const log = (m: string): void => { console.error(`[remote-workers ${new Date().toISOString().slice(11, 19)}] ${m}`); };
/** The mount's host: its own network namespace; the host end of the veth is the workers' host. */
const link = new WanLink({ namespace: 'eddybench-remote', hostIf: 'ebrm0', nsIf: 'ebrm1', hostIp: '10.231.0.1', nsIp: '10.231.0.2', rateMbit: 0, rttMs: 0 });

const TARGET_NOTES: Record<Target, string> = {
  'eddy': 'eddy: read whole in parallel through the mount (`dd bs=1M | cksum`, every CRC checked), page cache dropped before each pass; '
    + 'the mount\'s --host-id differs from the workers\', so no block file is read directly (short-circuit): bytes come over the data channel.',
  'raw-tcp': 'raw-tcp: the same bytes as plain TCP streams (one per shard) from a node process in the host\'s namespace to one in the mount\'s, '
    + 'over the same veth, discarded.',
  'ceiling': 'ceiling: bench/null-fs.ts (fuse-native, bytes from memory, no network) read the same way; its bytes are counted, not checked.',
  'fuse-over-tcp': 'fuse-over-tcp: a floor (a measurement tool, not a product): bench/tcp-fs.ts, a null-fs-like fuse-native filesystem mounted from the '
    + 'mount\'s namespace whose every open is one raw TCP stream from the same sender over the same veth, its reads answered from the bytes '
    + 'as they arrive; read the same way; counted, not checked. TCP + FUSE on the same 2 cores with no Eddy code.',
};

/** MiB the workers were asked to send (cache + read through) during a pass. */
const served = (v: BytesOfPass): number => Math.round(Object.entries(v.counters)
  .filter(([k]) => k.startsWith('eddy_worker_served_MiB')).reduce((s, [, n]) => s + n, 0));

const mbps = (bytes: number, ms: number): number => Math.round((bytes / MiB / (ms / 1000)) * 10) / 10;

/** `streams` raw TCP streams of `bytesPerStream` each, from the host's namespace into the mount's. */
async function rawTcp(sender: string, streams: number, bytesPerStream: number): Promise<number> {
  const r = await run('nsenter', [`--net=/run/netns/${link.o.namespace}`, process.execPath, TCP_STREAM_SCRIPT,
    '--connect', sender, '--streams', String(streams), '--bytes', String(bytesPerStream)], { timeoutMs: 600_000 });
  const out = JSON.parse(r.stdout) as SinkResult;
  return mbps(out.bytes, out.ms);
}

/** Per Eddy all-shards pass: the MiB that crossed the veth, and what the workers and the mount counted meanwhile. */
interface BytesOfPass { vethMiB: number; counters: Record<string, number> }
interface Rows { all: Metric; one: Metric; veth: BytesOfPass[] }

/** One pass of each, interleaved: Eddy (all shards, then one), raw TCP, the ceiling, the fuse-over-tcp floor. */
async function pass(i: number, cluster: RegionCluster, ceiling: CeilingTarget, fot: FuseOverTcp | undefined, sender: string | undefined,
  fixture: Fixture, acc: Record<string, { all: number[]; one: number[] }>, veth: BytesOfPass[], metrics: readonly MetricsEndpoint[]): Promise<void> {
  const files = fixture.modelFiles;
  const first: FixtureFile[] = files.slice(0, 1);
  const check = expected(fixture);
  const read = async (root: string, fs: FixtureFile[], withCheck: boolean): Promise<ReadResult> => {
    await dropCaches();
    return await readParallel(root, fs, withCheck ? check : undefined);
  };
  const got: [Target, number, number][] = [];
  if (want('eddy')) {
    // The page cache is dropped before the counters are read, so the window holds Eddy's read alone.
    await dropCaches();
    const [tx0, c0] = [await link.txBytes(), await scrape(metrics)];
    const eAll = await readParallel(cluster.root, files, check);
    veth.push({ vethMiB: Math.round(((await link.txBytes()) - tx0) / MiB), counters: counterDelta(c0, await scrape(metrics)) });
    const eOne = await read(cluster.root, first, true);
    got.push(['eddy', eAll.mbps, eOne.mbps]);
  }
  if (want('raw-tcp') && sender) got.push(['raw-tcp', await rawTcp(sender, files.length, shardBytes), await rawTcp(sender, 1, shardBytes)]);
  if (want('ceiling')) got.push(['ceiling', (await read(ceiling.root, files, false)).mbps, (await read(ceiling.root, first, false)).mbps]);
  if (want('fuse-over-tcp') && fot) got.push(['fuse-over-tcp', (await read(fot.root, files, false)).mbps, (await read(fot.root, first, false)).mbps]);
  for (const [k, all, one] of got) {
    (acc[k] ??= { all: [], one: [] }).all.push(all);
    acc[k].one.push(one);
  }
  const last = veth.at(-1);
  log(`pass ${i}: ${got.map(([k, all, one]) => `${k} ${all} / ${one}`).join(', ')} MiB/s (all shards / one)`
    + (last ? `; ${last.vethMiB} MiB crossed the veth during Eddy's pass; counted: ${JSON.stringify(last.counters)}` : ''));
}

async function measure(fixture: Fixture, workDir: string, access: Parameters<typeof s3DatasetManifests>[1], errors: string[]): Promise<Rows> {
  const files = fixture.modelFiles;
  const total = files.reduce((s, f) => s + f.size, 0);
  const quotaBytes = Math.ceil((total * 1.1) / MiB) * MiB;
  const workerMetrics = [await freePort(), await freePort()];
  const mountMetrics = await freePort();
  const metrics: MetricsEndpoint[] = [...workerMetrics.map((p) => ({ url: `http://127.0.0.1:${p}/metrics` })),
    { url: `http://127.0.0.1:${mountMetrics}/metrics`, netns: link.o.namespace }];
  const cluster = new RegionCluster(workDir, {
    name: 'remote', host: link.o.hostIp, mountNetns: link.o.namespace, workerHostId: 'worker-host', mountHostId: 'mount-host',
    workers: 2, quotaBytes, dataLoadTimeoutMs: 30 * 60_000,
    workerArgs: (i) => ['--metrics-listen', `127.0.0.1:${workerMetrics[i]!}`], mountArgs: ['--metrics-listen', `127.0.0.1:${mountMetrics}`],
    manifests: () => s3DatasetManifests(fixture.bucket, access, { dataset: 'bench', replicas: 1, blockSize: '16Mi', quota: String(quotaBytes), fuseArgs: FUSE_ARGS }),
  });
  const ceiling = new CeilingTarget(files, workDir);
  const acc: Record<string, { all: number[]; one: number[] }> = {};
  const veth: BytesOfPass[] = [];
  let sender: Awaited<ReturnType<typeof startTcpSender>> | undefined;
  let fot: FuseOverTcp | undefined;
  try {
    log('starting master and 2 workers (host namespace), the mount in its own namespace');
    await cluster.start();
    const ms = await cluster.dataLoad(files.map((f) => `/${f.path}`), log);
    log(`DataLoad of ${total / MiB} MiB: ${(ms / 1000).toFixed(1)} s`);
    if (want('ceiling')) await ceiling.start();
    if (want('raw-tcp') || want('fuse-over-tcp')) sender = await startTcpSender(link.o.hostIp, shardBytes);
    if (want('fuse-over-tcp') && sender) {
      fot = new FuseOverTcp(files, workDir, link.o.namespace, sender.address);
      await fot.start();
    }
    for (let i = 1; i <= passes; i++) await pass(i, cluster, ceiling, fot, sender?.address, fixture, acc, veth, metrics);
  } catch (err) {
    errors.push(String((err as Error).stack ?? err));
    log(`ERROR ${(err as Error).message}`);
  } finally {
    await fot?.close().catch((err: unknown) => errors.push(`close fuse-over-tcp: ${String(err)}`));
    await sender?.close();
    await ceiling.close().catch((err: unknown) => errors.push(`close ceiling: ${String(err)}`));
    await cluster.close().catch((err: unknown) => errors.push(`close cluster: ${String(err)}`));
  }
  const all = metric(`warm model load, ${files.length} shards in parallel`, 'MiB/s', 'higher');
  const one = metric('warm, one shard alone (one reader, one stream)', 'MiB/s', 'higher');
  for (const [k, v] of Object.entries(acc)) {
    recordPasses(all, k, v.all);
    recordPasses(one, k, v.one);
  }
  return { all, one, veth };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadStart = loadavg();
  const workDir = await mkdtemp(join(tmpdir(), 'eddy-bench-remote-'));
  const dataDir = await mkdtemp(join(tmpdir(), 'eddy-bench-remote-s3-'));
  const errors: string[] = [];
  let vgw: Daemon | undefined;
  let rows: Rows | undefined;
  try {
    await link.setup();
    const port = await freePort();
    vgw = new Daemon('versitygw', versitygwPath(), ['--access', TEST_ACCESS_KEY, '--secret', TEST_SECRET_KEY, '--region', 'us-east-1',
      '--port', `127.0.0.1:${port}`, '--quiet', 'posix', dataDir]);
    const client = new Minio.Client({ endPoint: '127.0.0.1', port, useSSL: false, accessKey: TEST_ACCESS_KEY, secretKey: TEST_SECRET_KEY,
      region: 'us-east-1', pathStyle: true });
    await waitFor(async () => { if (vgw?.exited) throw new Error(`versitygw exited: ${vgw.output()}`); await client.listBuckets(); return true; },
      { timeoutMs: 30_000, what: 'the S3 server' });
    const bucket = 'eddy-bench-remote';
    await client.makeBucket(bucket, 'us-east-1');
    const fixture = await createFixture(client, bucket,
      { modelFiles: SHARDS, modelSize: shardBytes, smallFiles: 0, smallDirs: 1, smallSize: 1, withSmall: false }, log);
    const access = { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', accessKey: TEST_ACCESS_KEY, secretKey: TEST_SECRET_KEY };
    rows = await measure(fixture, workDir, access, errors);
  } catch (err) {
    errors.push(String((err as Error).stack ?? err));
    log(`ERROR ${(err as Error).message}`);
  } finally {
    await vgw?.stop();
    await link.teardown();
    await rm(workDir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  }
  await report(startedAt, loadStart, rows, errors);
}

async function report(startedAt: Date, loadStart: number[], rows: Rows | undefined, errors: string[]): Promise<void> {
  const date = startedAt.toISOString().slice(0, 10);
  const base = values.name ?? `${date}-remote-workers${values.quick ? '-quick' : ''}`;
  const commit = (await run('git', ['log', '-1', '--format=%h', 'HEAD'], { check: false })).stdout.trim();
  const all = rows?.all;
  const goals: Goal[] = computeRemoteWorkerGoals({ eddy: all?.values['eddy'] ?? null, rawTcp: all?.values['raw-tcp'] ?? null,
    ceiling: all?.values['ceiling'] ?? null, fuseOverTcp: all?.values['fuse-over-tcp'] ?? null });
  const workload: WorkloadResult = {
    name: 'remote-workers',
    title: 'Remote workers: the mount on another host (network namespace), warm',
    description: `${SHARDS} files × ${shardBytes / MiB} MiB of random bytes, cached on 2 workers in the host's network namespace; the FUSE mount in `
      + `namespace ${link.o.namespace}, reached over one unshaped veth; median of ${passes} passes (min–max beside it).`,
    metrics: rows ? [rows.all, rows.one] : [],
    notes: [
      ...TARGETS.filter(want).map((t) => TARGET_NOTES[t]),
      `MiB that crossed the veth (host → mount) during each of Eddy's all-shards passes: ${rows?.veth.map((v) => v.vethMiB).join(', ') ?? '—'} `
        + `(the shards are ${SHARDS * shardBytes / MiB} MiB); the window holds that read alone (the page cache is dropped before it opens).`,
      'Counted meanwhile by the workers (served = bytes asked of them on the data channel) and the mount (read bytes by source, worker failures): '
        + `${rows?.veth.map((v) => `${served(v)} MiB served, ${v.counters['eddy_client_worker_failures_total'] ?? 0} worker failures`).join('; ') ?? '—'}.`,
      ...(targets.size < TARGETS.length ? [`Only these rows were measured: ${[...targets].join(', ')} (--targets).`] : []),
    ],
    data: { vethMiBPerEddyPass: rows?.veth.map((v) => v.vethMiB) ?? [], countersPerEddyPass: rows?.veth.map((v) => v.counters) ?? [] },
  };
  const meta = {
    date: startedAt.toISOString(), host: hostname(), commit, note: values.note,
    command: `node bench/lib/remote-workers.js ${process.argv.slice(2).join(' ')}`.trim(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '' }, link: link.describe(),
    loadAverage: { start: loadStart, end: loadavg() },
  };
  const out = values.out;
  await mkdir(out, { recursive: true });
  await writeFile(join(out, `${base}.json`), `${JSON.stringify({ meta, workloads: [workload], goals, errors }, null, 2)}\n`);
  const md = [
    `# Remote workers (${date}, ${hostname()}, commit ${commit})`, '',
    `Command: \`${meta.command}\`; ${meta.machine.cpus} CPUs; load average ${loadStart.map((x) => x.toFixed(1)).join(' / ')} at the start, `
      + `${loadavg().map((x) => x.toFixed(1)).join(' / ')} at the end. Link: ${meta.link}.${values.note ? ` Note: ${values.note}` : ''}`, '',
    '## Goals', '', goalTable(goals), '',
    renderWorkload(workload),
    ...(errors.length ? ['## Errors', '', ...errors.map((e) => `- ${e.split('\n')[0]}`), ''] : []),
  ].join('\n');
  await writeFile(join(out, `${base}.md`), md);
  console.log(md);
}

await main();

// Issue 18's region tree: one update to the central bucket reaching three regions, as a star
// (every region reads the bucket over the centre's link, today's setup) and as a tree (region A
// reads the bucket; B and C read A through `eddy://`, each over its own emulated link in its own
// network namespace). Measures the MiB crossing each link and the time until every region's
// mount serves the new bytes (sha256 checked).
//   npx tsc -b bench && node bench/lib/region-tree.js [--quick] [--size 1024] [--topologies star,tree] [--out bench/results] [--name N]
// As root (network namespaces, tc, FUSE, drop_caches). Writes <out>/<date>-region-tree[-quick].json and .md (or <date>-N.*).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as Minio from 'minio';
import { s3DatasetManifests, TEST_ACCESS_KEY, TEST_SECRET_KEY, versitygwPath, waitFor } from '@eddy/testkit';
import { Daemon, dropCaches, run } from './src/exec.js';
import { putRandomObject } from './src/fixture.js';
import { sha256File, waitForPrefix } from './src/workloads/update.js';
import { WanLink, type WanLinkOptions } from './src/wan/wan-link.js';
import { RegionCluster } from './src/region/region-cluster.js';

const here = dirname(fileURLToPath(import.meta.url));
const DELAY_PROXY = join(here, 'delay-proxy.js');
const MiB = 1024 ** 2;
const S3_PORT = 9000;
const FUSE_ARGS = ['-okernel_cache', '-oro', '-oattr_timeout=10', '-oentry_timeout=10', '-onegative_timeout=10'];
const FILE = 'model/shard-0.bin';

const { values } = parseArgs({ options: {
  quick: { type: 'boolean', default: false }, size: { type: 'string' }, out: { type: 'string', default: join(here, '..', 'results') },
  topologies: { type: 'string', default: 'star,tree' }, rate: { type: 'string', default: '500' }, rtt: { type: 'string', default: '30' },
  name: { type: 'string' },
} });
const size = (values.size ? Number(values.size) : values.quick ? 256 : 1024) * MiB;
const rateMbit = Number(values.rate);
const rttMs = Number(values.rtt);
const topologies = values.topologies.split(',');
const log = (m: string): void => { console.error(`[region-tree ${new Date().toISOString().slice(11, 19)}] ${m}`); };
const link = (name: string, n: number): WanLinkOptions => ({
  namespace: `eddybench-${name}`, hostIf: `ebt${name}0`, nsIf: `ebt${name}1`, hostIp: `10.21${n}.0.1`, nsIp: `10.21${n}.0.2`, rateMbit, rttMs,
});
const centre = new WanLink(link('ctr', 0));
const linkB = new WanLink(link('b', 1));
const linkC = new WanLink(link('c', 2));
const mib = (bytes: number): number => Math.round((bytes / MiB) * 100) / 100;

interface UpdateResult { links: Record<string, number>; seconds: number | null; verified: boolean; perRegion: Record<string, number | null> }

/** Replaces the file, has every region run a Once DataLoad (loadMetadata) at once, and waits for the new bytes in every mount. */
async function update(client: Minio.Client, bucket: string, regions: RegionCluster[], counters: Record<string, () => Promise<number>>): Promise<UpdateResult> {
  const before = Object.fromEntries(await Promise.all(Object.entries(counters).map(async ([k, f]) => [k, await f()] as const)));
  const next = await putRandomObject(client, bucket, FILE, size);
  const t0 = performance.now();
  const perRegion: Record<string, number | null> = {};
  await Promise.all(regions.map(async (r) => {
    const loading = r.dataLoad([`/${FILE}`], log);
    const ms = await waitForPrefix(join(r.root, FILE), next.prefix, t0, 30 * 60_000);
    await loading;
    perRegion[r.name] = ms === null ? null : Math.round(ms) / 1000;
  }));
  await dropCaches();
  const hashes = await Promise.all(regions.map(async (r) => await sha256File(join(r.root, FILE))));
  const links: Record<string, number> = {};
  for (const [k, f] of Object.entries(counters)) links[k] = mib((await f()) - before[k]!);
  const times = Object.values(perRegion);
  const seconds = times.some((t) => t === null) ? null : Math.max(...(times as number[]));
  return { links, seconds, verified: hashes.every((h) => h === next.sha256), perRegion };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadStart = loadavg();
  const workDir = await mkdtemp(join(tmpdir(), 'eddy-bench-tree-'));
  const dataDir = await mkdtemp(join(tmpdir(), 'eddy-bench-tree-s3-'));
  const daemons: Daemon[] = [];
  const regions: RegionCluster[] = [];
  const results: Record<string, UpdateResult> = {};
  const errors: string[] = [];
  const closeRegions = async (): Promise<void> => { for (const r of regions.splice(0).reverse()) await r.close().catch((err: unknown) => errors.push(`close ${r.name}: ${String(err)}`)); };
  try {
    for (const l of [centre, linkB, linkC]) await l.setup();
    await linkB.defaultRouteViaHost();
    await linkC.defaultRouteViaHost();
    const ns = centre.o.namespace;
    const vgwListen = centre.netem ? `${centre.o.nsIp}:${S3_PORT}` : `127.0.0.1:${S3_PORT + 1}`;
    daemons.push(new Daemon('versitygw', 'ip', ['netns', 'exec', ns, versitygwPath(), '--access', TEST_ACCESS_KEY, '--secret', TEST_SECRET_KEY,
      '--region', 'us-east-1', '--port', vgwListen, '--quiet', 'posix', dataDir]));
    if (!centre.netem) {
      daemons.push(new Daemon('delay-proxy', 'ip', ['netns', 'exec', ns, process.execPath, DELAY_PROXY, '--listen', `${centre.o.nsIp}:${S3_PORT}`,
        '--target', vgwListen, '--delay-ms', String(rttMs / 2)]));
    }
    const access = { endpoint: `http://${centre.o.nsIp}:${S3_PORT}`, region: 'us-east-1', accessKey: TEST_ACCESS_KEY, secretKey: TEST_SECRET_KEY };
    const bucket = 'eddy-bench-tree';
    const client = new Minio.Client({ endPoint: centre.o.nsIp, port: S3_PORT, useSSL: false, accessKey: TEST_ACCESS_KEY, secretKey: TEST_SECRET_KEY,
      region: 'us-east-1', pathStyle: true });
    await waitFor(async () => { for (const d of daemons) if (d.exited) throw new Error(`${d.name} exited: ${d.output()}`); await client.listBuckets(); return true; },
      { timeoutMs: 30_000, what: 'the S3 server behind the centre link' });
    await client.makeBucket(bucket, 'us-east-1');
    await putRandomObject(client, bucket, FILE, size);
    const quotaBytes = Math.ceil((size * 1.3) / MiB) * MiB;
    const common = { workers: 2, quotaBytes, dataLoadTimeoutMs: 30 * 60_000 };
    const bucketManifests = (): string => s3DatasetManifests(bucket, access, { dataset: 'bench', replicas: 2, blockSize: '16Mi', quota: String(quotaBytes), fuseArgs: FUSE_ARGS });
    const start = async (r: RegionCluster): Promise<RegionCluster> => {
      regions.push(r);
      log(`starting region ${r.name}`);
      await r.start();
      await r.dataLoad([`/${FILE}`], log);
      return r;
    };

    if (topologies.includes('star')) {
      // Today: every region reads the bucket over the centre's link.
      for (const name of ['star-a', 'star-b', 'star-c']) await start(new RegionCluster(workDir, { ...common, name, host: '127.0.0.1', manifests: bucketManifests }));
      log('star: update');
      results['star'] = await update(client, bucket, regions, { centre: async () => await centre.rxBytes() });
      log(`star: ${JSON.stringify(results['star'])}`);
      await closeRegions();
    }
    if (topologies.includes('tree')) {
      // A listens on its end of B's link; C reaches that address through its default route via the host.
      const a = await start(new RegionCluster(workDir, { ...common, name: 'tree-a', host: linkB.o.hostIp, manifests: bucketManifests }));
      const upstreamManifests = (): string => regionManifests(a.masterAddress, a.scopedClientToken, quotaBytes);
      for (const [name, l] of [['tree-b', linkB], ['tree-c', linkC]] as const) {
        await start(new RegionCluster(workDir, { ...common, name, netns: l.o.namespace, host: '127.0.0.1', manifests: upstreamManifests }));
      }
      log('tree: update');
      results['tree'] = await update(client, bucket, regions, {
        centre: async () => await centre.rxBytes(), 'A→B': async () => await linkB.txBytes(), 'A→C': async () => await linkC.txBytes(),
      });
      log(`tree: ${JSON.stringify(results['tree'])}`);
      await closeRegions();
    }
  } catch (err) {
    errors.push(String((err as Error).stack ?? err));
    log(`ERROR ${(err as Error).message}`);
  } finally {
    await closeRegions();
    for (const d of daemons.reverse()) await d.stop();
    for (const l of [linkC, linkB, centre]) await l.teardown();
    await rm(workDir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  }
  await report(startedAt, loadStart, results, errors);
}

/** Region B/C: the seed-shaped Dataset with one mount on A's dataset, A's client credential scoped to it in a Secret. */
function regionManifests(upstream: string, token: string, quotaBytes: number): string {
  return `apiVersion: v1
kind: Secret
metadata: {name: upstream}
stringData: {token: ${JSON.stringify(token)}}
---
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: bench}
spec:
  mounts:
    - mountPoint: eddy://${upstream}/bench
      encryptOptions:
        - {name: fs.eddy.token, valueFrom: {secretKeyRef: {name: upstream, key: token}}}
  accessModes: [ReadOnlyMany]
---
apiVersion: data.fluid.io/v1alpha1
kind: JindoRuntime
metadata: {name: bench}
spec:
  replicas: 2
  blockSize: 16Mi
  tieredstore:
    levels:
      - {mediumtype: MEM, path: /dev/shm, quota: "${quotaBytes}", high: "0.99", low: "0.8"}
  fuse:
    args: [${FUSE_ARGS.map((a) => JSON.stringify(a)).join(', ')}]
`;
}

/** A region link: only the centre's has the delay proxy (in front of the S3 server) when the kernel lacks netem. */
function regionLink(l: WanLink): string {
  return l.netem ? l.describe() : `${l.describe().split(';')[0]}; no added delay (this kernel has no sch_netem, and only the centre's link has a proxy)`;
}

async function report(startedAt: Date, loadStart: number[], results: Record<string, UpdateResult>, errors: string[]): Promise<void> {
  const date = startedAt.toISOString().slice(0, 10);
  const base = `${date}-${values.name ?? `region-tree${values.quick ? '-quick' : ''}`}`;
  const git = (await run('git', ['log', '-1', '--format=%h %s'], { check: false })).stdout.trim().slice(0, 72);
  const json = {
    meta: {
      date: startedAt.toISOString(), host: hostname(), command: `node bench/lib/region-tree.js ${process.argv.slice(2).join(' ')}`.trim(), commit: git,
      fileMiB: size / MiB, links: { centre: centre.describe(), 'A→B': regionLink(linkB), 'A→C': regionLink(linkC) },
      loadAverage: { start: loadStart, end: loadavg() },
    },
    results, errors,
  };
  const out = values.out;
  await mkdir(out, { recursive: true });
  await writeFile(join(out, `${base}.json`), `${JSON.stringify(json, null, 2)}\n`);
  const row = (name: string, r: UpdateResult | undefined): string => {
    if (!r) return `| ${name} | — | — | — | — | — |`;
    const l = (k: string): string => (r.links[k] === undefined ? 'n/a (same host)' : r.links[k]!.toLocaleString('en-US'));
    return `| ${name} | ${l('centre')} | ${l('A→B')} | ${l('A→C')} | ${r.seconds ?? 'timeout'} | ${r.verified ? 'yes' : 'NO'} |`;
  };
  const md = [
    `# Region tree vs star (${date}, ${hostname()}, ${size / MiB} MiB file)`, '',
    `Command: \`${json.meta.command}\`; load average ${loadStart.map((x) => x.toFixed(1)).join(' / ')} at the start, ${loadavg().map((x) => x.toFixed(1)).join(' / ')} at the end.`, '',
    '| topology | MiB on the centre link | MiB on A→B | MiB on A→C | s until every region serves the new bytes | sha256 ok |',
    '| --- | --- | --- | --- | --- | --- |',
    row('star (today: A, B, C read the bucket)', results['star']),
    row('tree (A reads the bucket; B, C read A)', results['tree']),
    '', `Ideal: star ${3 * size / MiB} MiB on the centre link; tree ${size / MiB} MiB on each link.`,
    ...(errors.length ? ['', 'Errors:', ...errors.map((e) => `- ${e.split('\n')[0]}`)] : []), '',
  ].join('\n');
  await writeFile(join(out, `${base}.md`), md);
  console.log(md);
}

await main();

// Cross-region emulation: the bucket sits behind an emulated WAN link (see WanLink); clients in
// the root namespace are the "regions". Measures the model load straight over the WAN against a
// warm Eddy, and the bytes that cross the WAN for one update with 1 and with 3 Eddy clusters.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Minio from 'minio';
import { versitygwPath, waitFor, TEST_ACCESS_KEY, TEST_SECRET_KEY } from '@eddy/testkit';
import { Daemon, dropCaches } from '../exec.js';
import { createFixture, expected, putRandomObject } from '../fixture.js';
import { readParallel } from '../read.js';
import { directGetRanged, directGetWhole } from '../direct-get.js';
import { metric, recordPasses, type WorkloadResult } from '../results.js';
import { guarded, type BenchContext } from '../context.js';
import type { FsTarget, S3Access } from '../targets/target.js';
import { sha256File, waitForPrefix } from './update.js';
import { WanLink } from '../wan/wan-link.js';

const DELAY_PROXY = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'delay-proxy.js');
const S3_PORT = 9000;

import type { EddyFactory } from '../targets/eddy-target.js';

export async function wan(ctx: BenchContext, makeEddy: EddyFactory | undefined): Promise<WorkloadResult> {
  const link = new WanLink();
  const result: WorkloadResult = { name: 'wan', title: 'Cross-region (emulated WAN)', description: '', metrics: [], notes: [], data: {} };
  const load = metric('model load, 4 shards in parallel', 'MiB/s', 'higher');
  const loadS = metric('model load time', 's', 'lower');
  const preload = metric('DataLoad over the WAN (cold cluster)', 'MiB/s', 'higher');
  const upd1 = metric('update, 1 region: MiB crossing the WAN', 'MiB', 'lower');
  const upd1t = metric('update, 1 region: new bytes visible after', 's', 'lower');
  const upd3 = metric('update, 3 regions: MiB crossing the WAN', 'MiB', 'lower');
  const upd3t = metric('update, 3 regions: all see new bytes after', 's', 'lower');
  result.metrics.push(load, loadS, preload, upd1, upd1t, upd3, upd3t);
  const data = result.data!;
  const dataDir = await mkdtemp(join(tmpdir(), 'eddy-bench-wan-s3-'));
  const daemons: Daemon[] = [];
  const regions: FsTarget[] = [];
  const removeCleanup = ctx.cleanup.add('wan namespace', async () => { await link.teardown(); });
  try {
    await link.setup();
    const ns = link.o.namespace;
    // The S3 server lives inside the namespace; with netem it listens on the veth address, without
    // it the delay proxy does and forwards to the server on the namespace's own loopback.
    const vgwListen = link.netem ? `${link.o.nsIp}:${S3_PORT}` : `127.0.0.1:${S3_PORT + 1}`;
    daemons.push(new Daemon('versitygw (wan)', 'ip', ['netns', 'exec', ns, versitygwPath(), '--access', TEST_ACCESS_KEY, '--secret', TEST_SECRET_KEY, '--region', 'us-east-1', '--port', vgwListen, '--quiet', 'posix', dataDir]));
    if (!link.netem) {
      daemons.push(new Daemon('delay-proxy', 'ip', ['netns', 'exec', ns, process.execPath, DELAY_PROXY, '--listen', `${link.o.nsIp}:${S3_PORT}`, '--target', vgwListen, '--delay-ms', String(link.o.rttMs / 2)]));
    }
    const access: S3Access = {
      endpoint: `http://${link.o.nsIp}:${S3_PORT}`, host: link.o.nsIp, port: S3_PORT,
      accessKey: TEST_ACCESS_KEY, secretKey: TEST_SECRET_KEY, region: 'us-east-1', bucket: 'eddy-bench-wan',
    };
    const client = new Minio.Client({ endPoint: access.host, port: access.port, useSSL: false, accessKey: access.accessKey,
      secretKey: access.secretKey, region: access.region, pathStyle: true });
    await waitFor(async () => { for (const d of daemons) if (d.exited) throw new Error(`${d.name} exited: ${d.output()}`); await client.listBuckets(); return true; }, { timeoutMs: 30_000, what: 'the S3 server behind the WAN link' });
    await client.makeBucket(access.bucket, access.region);
    const size = ctx.opts.wanModelSize;
    const fixture = await createFixture(client, access.bucket, { modelFiles: ctx.opts.modelFiles, modelSize: size, smallFiles: 0, smallDirs: 1,
      smallSize: 1, withSmall: false }, ctx.log);
    const files = fixture.modelFiles;
    const total = files.reduce((s, f) => s + f.size, 0);
    result.description = `${files.length} shards × ${size / 1024 ** 2} MiB behind ${link.describe()}. Regions are Eddy clusters (master + 2 workers, MEM tier, FUSE mount) in the root namespace; bytes are the host-side veth's rx counter (payload plus TCP/IP overhead).`;
    data['link'] = link.describe();

    for (const [name, fn] of [['direct', directGetWhole], ['direct-ranged', directGetRanged]] as const) {
      await guarded(ctx, `wan ${name}`, async () => {
        await dropCaches();
        const r = await fn(client, access.bucket, files);
        load.values[name] = r.mbps;
        loadS.values[name] = r.ms / 1000;
        ctx.log(`wan ${name}: ${r.mbps} MiB/s`);
      });
    }
    if (!makeEddy) {
      result.notes.push('Eddy was not available in this run: only the direct figures were measured.');
      return result;
    }

    const startRegion = async (name: string): Promise<FsTarget> => {
      const t = makeEddy(access, name);
      regions.push(t);
      await t.start();
      return t;
    };
    const a = await startRegion('wan-a');
    const rx0 = await link.rxBytes();
    const preloadMs = await a.warm(files);
    data['preloadBytes'] = (await link.rxBytes()) - rx0;
    preload.values['eddy'] = Math.round((total / 1024 ** 2 / (preloadMs / 1000)) * 10) / 10;
    const passes = [];
    for (let i = 0; i < ctx.opts.passes; i++) {
      await dropCaches();
      passes.push(await readParallel(a.root, files, expected(fixture)));
    }
    recordPasses(load, 'eddy', passes.map((p) => p.mbps));
    recordPasses(loadS, 'eddy', passes.map((p) => p.ms / 1000));
    ctx.log(`wan eddy warm: ${passes.map((p) => p.mbps).join(', ')} MiB/s`);

    const doUpdate = async (path: string, regs: FsTarget[]): Promise<{ bytes: number; ms: number | null; verified: boolean }> => {
      const f = files.find((x) => x.path === path)!;
      // Settle: let background traffic (heartbeats are local, but be safe) stop before counting.
      const before = await link.rxBytes();
      const next = await putRandomObject(client, access.bucket, f.path, f.size);
      const t0 = performance.now();
      const times = await Promise.all(regs.map(async (r) => {
        const refreshing = r.refresh ? r.refresh() : Promise.resolve();
        const ms = await waitForPrefix(join(r.root, f.path), next.prefix, t0, ctx.opts.updateTimeoutMs);
        await refreshing;
        return ms;
      }));
      const hashes = await Promise.all(regs.map(async (r) => await sha256File(join(r.root, f.path))));
      const bytes = (await link.rxBytes()) - before;
      const ms = times.some((x) => x === null) ? null : Math.max(...(times as number[]));
      return { bytes, ms, verified: hashes.every((h) => h === next.sha256) };
    };

    await guarded(ctx, 'wan update 1 region', async () => {
      const u = await doUpdate(files[1]!.path, [a]);
      upd1.values['eddy'] = Math.round((u.bytes / 1024 ** 2) * 100) / 100;
      upd1.values['ideal'] = files[1]!.size / 1024 ** 2;
      upd1t.values['eddy'] = u.ms === null ? null : u.ms / 1000;
      data['update1'] = { ...u, fileBytes: files[1]!.size, regions: 1 };
      ctx.log(`wan update 1 region: ${u.bytes} bytes, ${u.ms} ms, verified=${u.verified}`);
    });
    await guarded(ctx, 'wan update 3 regions', async () => {
      const b = await startRegion('wan-b');
      const c = await startRegion('wan-c');
      await Promise.all([b.warm(files), c.warm(files)]);
      const u = await doUpdate(files[2]!.path, [a, b, c]);
      upd3.values['eddy'] = Math.round((u.bytes / 1024 ** 2) * 100) / 100;
      upd3.values['ideal'] = (3 * files[2]!.size) / 1024 ** 2;
      upd3t.values['eddy'] = u.ms === null ? null : u.ms / 1000;
      data['update3'] = { ...u, fileBytes: files[2]!.size, regions: 3 };
      ctx.log(`wan update 3 regions: ${u.bytes} bytes, ${u.ms} ms, verified=${u.verified}`);
    });
    result.notes.push(
      'Update: the shard is replaced in the bucket (the upload crosses the link in the other direction and is not counted), then every region runs a Once DataLoad with loadMetadata; counted until every region reads the whole new file (sha256 checked).',
      '"ideal" = regions × the replaced shard\'s size: each region fetches the changed file once and nothing else; Eddy/ideal = ideal ÷ measured (1.00× = ideal, lower = extra bytes).',
    );
    return result;
  } finally {
    for (const r of regions.reverse()) await guarded(ctx, 'wan region close', async () => { await r.close(); });
    for (const d of daemons.reverse()) await d.stop();
    await link.teardown();
    await removeCleanup();
    await rm(dataDir, { recursive: true, force: true });
  }
}

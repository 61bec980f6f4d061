// Model load: the 4 shards read whole in parallel, as an inference server loads its weights.
// Cold = the target's cache emptied and the page cache dropped; warm = after an Eddy DataLoad
// (after the cold pass, i.e. a first full read, for the peers), page cache dropped again so the
// figure is the cache's, not the kernel's. Every figure is the median of --passes passes; every
// read is counted and checked (cksum) against the bytes uploaded.
import { dropCaches } from '../exec.js';
import { expected } from '../fixture.js';
import { readParallel, type Expect } from '../read.js';
import { directGetRanged, directGetWhole } from '../direct-get.js';
import { metric, recordPasses, type WorkloadResult } from '../results.js';
import { guarded, type BenchContext } from '../context.js';

export async function modelLoad(ctx: BenchContext): Promise<WorkloadResult> {
  const files = ctx.fixture.modelFiles;
  const n = ctx.opts.passes;
  // The ceiling serves other (random) bytes of the same sizes: its reads are counted, not checked.
  const expectFor = (t: { kind: string }): Expect | undefined => (t.kind === 'ceiling' ? undefined : expected(ctx.fixture));
  const cold = metric('cold, 4 shards in parallel', 'MiB/s', 'higher');
  const warm = metric('warm, 4 shards in parallel', 'MiB/s', 'higher');
  const warmMs = metric('warm, time to load all shards', 's', 'lower');
  const prep = metric('warm-up (DataLoad for Eddy)', 's', 'lower');
  if (ctx.direct) {
    for (const [name, fn] of [['direct', directGetWhole], ['direct-ranged', directGetRanged]] as const) {
      await guarded(ctx, `model-load ${name}`, async () => {
        const c: number[] = [];
        const w: number[] = [];
        for (let i = 0; i < n; i++) {
          await dropCaches();
          c.push((await fn(ctx.client, ctx.fixture.bucket, files)).mbps);
          const again = await fn(ctx.client, ctx.fixture.bucket, files);
          w.push(again.mbps);
        }
        recordPasses(cold, name, c);
        recordPasses(warm, name, w);
        ctx.log(`model-load ${name}: cold ${c.join(', ')} warm ${w.join(', ')} MiB/s`);
      });
    }
  }
  for (const t of ctx.targets) {
    await guarded(ctx, `model-load ${t.name}`, async () => {
      const c: number[] = [];
      const w: number[] = [];
      const ws: number[] = [];
      const p: number[] = [];
      for (let i = 0; i < n; i++) {
        await t.makeCold();
        await dropCaches();
        c.push((await readParallel(t.root, files, expectFor(t))).mbps);
        if (t.kind === 'eddy') p.push((await t.warm(files)) / 1000);
        // Warm passes are interleaved with cold ones (not n cold then n warm) so a change of the
        // machine's load during the run moves both alike.
        await dropCaches();
        const r = await readParallel(t.root, files, expectFor(t));
        w.push(r.mbps);
        ws.push(r.ms / 1000);
      }
      recordPasses(cold, t.name, c);
      recordPasses(warm, t.name, w);
      recordPasses(warmMs, t.name, ws);
      recordPasses(prep, t.name, p);
      ctx.log(`model-load ${t.name}: cold ${c.join(', ')} warm ${w.join(', ')} MiB/s`);
    });
  }
  const total = files.reduce((s, f) => s + f.size, 0);
  return {
    name: 'model-load',
    title: 'Model load',
    description: `${files.length} files × ${(files[0]?.size ?? 0) / 1024 ** 2} MiB of random bytes (${(total / 1024 ** 3).toFixed(2)} GiB), read whole in parallel with one \`dd bs=1M | cksum\` per file; median of ${n} passes (min–max beside it).`,
    metrics: [cold, warm, warmMs, prep],
    notes: [
      'Cold: target cache emptied (remount with an empty cache dir; a fresh Eddy cluster) and `echo 3 > /proc/sys/vm/drop_caches`.',
      'Warm: Eddy after a DataLoad of the shards; s3fs/rclone after the cold pass (a first full read); page cache dropped before each pass.',
      'Each pass is one cold read then one warm read; MiB/s is computed from the bytes cksum counted; every file\'s CRC matched the uploaded bytes (the ceiling serves other bytes of the same sizes: counted only).',
      'direct = one GET per object in parallel; direct-ranged = 16 MiB ranged GETs, 8 in flight; their "warm" row is a second fetch (server page cache warm).',
    ],
  };
}

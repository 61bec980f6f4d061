// Model load: the 4 shards read whole in parallel, as an inference server loads its weights.
// Cold = the target's cache emptied and the page cache dropped; warm = after an Eddy DataLoad
// (after the cold pass, i.e. a first full read, for the peers), page cache dropped again so the
// figure is the cache's, not the kernel's.
import { dropCaches } from '../exec.js';
import { readParallel } from '../read.js';
import { directGetRanged, directGetWhole } from '../direct-get.js';
import { metric, type WorkloadResult } from '../results.js';
import { guarded, type BenchContext } from '../context.js';

export async function modelLoad(ctx: BenchContext): Promise<WorkloadResult> {
  const files = ctx.fixture.modelFiles;
  const cold = metric('cold, 4 shards in parallel', 'MiB/s', 'higher');
  const warm = metric(`warm, best of ${ctx.opts.warmReps}`, 'MiB/s', 'higher');
  const warmMs = metric('warm, time to load all shards', 's', 'lower');
  const prep = metric('warm-up (DataLoad for Eddy)', 's', 'lower');
  if (ctx.direct) {
    for (const [name, fn] of [['direct', directGetWhole], ['direct-ranged', directGetRanged]] as const) {
      await guarded(ctx, `model-load ${name}`, async () => {
        await dropCaches();
        const r = await fn(ctx.client, ctx.fixture.bucket, files);
        cold.values[name] = r.mbps;
        ctx.log(`model-load ${name}: ${r.mbps} MiB/s`);
        const again = await fn(ctx.client, ctx.fixture.bucket, files);
        warm.values[name] = again.mbps;
        warmMs.values[name] = again.ms / 1000;
      });
    }
  }
  for (const t of ctx.targets) {
    await guarded(ctx, `model-load ${t.name}`, async () => {
      await t.makeCold();
      await dropCaches();
      const c = await readParallel(t.root, files);
      cold.values[t.name] = c.mbps;
      ctx.log(`model-load ${t.name} cold: ${c.mbps} MiB/s`);
      if (t.kind === 'eddy') prep.values[t.name] = (await t.warm(files)) / 1000;
      const passes = [];
      for (let i = 0; i < ctx.opts.warmReps; i++) {
        await dropCaches();
        passes.push(await readParallel(t.root, files));
      }
      const best = passes.reduce((a, b) => (b.mbps > a.mbps ? b : a));
      warm.values[t.name] = best.mbps;
      warmMs.values[t.name] = best.ms / 1000;
      warm.detail![t.name] = passes.map((p) => p.mbps).join(', ');
      ctx.log(`model-load ${t.name} warm: ${passes.map((p) => p.mbps).join(', ')} MiB/s`);
    });
  }
  const total = files.reduce((s, f) => s + f.size, 0);
  return {
    name: 'model-load',
    title: 'Model load',
    description: `${files.length} files × ${(files[0]?.size ?? 0) / 1024 ** 2} MiB of random bytes (${(total / 1024 ** 3).toFixed(2)} GiB), read whole in parallel with one dd (bs=1M) per file.`,
    metrics: [cold, warm, warmMs, prep],
    notes: [
      'Cold: target cache emptied (remount with an empty cache dir; a fresh Eddy cluster) and `echo 3 > /proc/sys/vm/drop_caches`.',
      'Warm: Eddy after a DataLoad of the shards; s3fs/rclone after the cold pass (a first full read); page cache dropped before each pass.',
      'direct = one GET per object in parallel; direct-ranged = 16 MiB ranged GETs, 8 in flight; their "warm" row is a second fetch (server page cache warm).',
    ],
  };
}

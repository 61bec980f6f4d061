// Preload: how fast an Eddy DataLoad pulls the model set into an empty cluster, against the
// direct parallel GET of the same bytes (the most the bucket gives one client on this machine).
import { dropCaches } from '../exec.js';
import { directGetRanged, directGetWhole } from '../direct-get.js';
import { metric, recordPasses, type WorkloadResult } from '../results.js';
import { guarded, type BenchContext } from '../context.js';

export async function preload(ctx: BenchContext): Promise<WorkloadResult> {
  const files = ctx.fixture.modelFiles;
  const bytes = files.reduce((s, f) => s + f.size, 0);
  const tput = metric('model set into the cache', 'MiB/s', 'higher');
  const secs = metric('duration', 's', 'lower');
  if (ctx.direct) {
    for (const [name, fn] of [['direct', directGetWhole], ['direct-ranged', directGetRanged]] as const) {
      await guarded(ctx, `preload ${name}`, async () => {
        const rs = [];
        for (let i = 0; i < ctx.opts.passes; i++) {
          await dropCaches();
          rs.push(await fn(ctx.client, ctx.fixture.bucket, files));
        }
        recordPasses(tput, name, rs.map((r) => r.mbps));
        recordPasses(secs, name, rs.map((r) => r.ms / 1000));
      });
    }
  }
  for (const t of ctx.targets.filter((x) => x.kind === 'eddy')) {
    await guarded(ctx, `preload ${t.name}`, async () => {
      const mss: number[] = [];
      for (let i = 0; i < ctx.opts.passes; i++) {
        await t.makeCold();
        await dropCaches();
        mss.push(await t.warm(files));
      }
      recordPasses(tput, t.name, mss.map((ms) => Math.round((bytes / 1024 ** 2 / (ms / 1000)) * 10) / 10));
      recordPasses(secs, t.name, mss.map((ms) => ms / 1000));
      ctx.log(`preload ${t.name}: ${tput.values[t.name]} MiB/s`);
    });
  }
  return {
    name: 'preload',
    title: 'Preload (DataLoad throughput)',
    description: `Eddy: a Once DataLoad for the ${files.length} shards applied to a fresh cluster (2 workers, MEM tier), timed by the DataLoad's own status (durationMs: the master's clock from the apply to Complete; the bench polls the master in-process every 100 ms) (bytes = the shards' sizes: a DataLoad reads no bytes to this process). Median of ${ctx.opts.passes} passes. Direct: the same bytes fetched with the MinIO client.`,
    metrics: [tput, secs],
    notes: [],
  };
}

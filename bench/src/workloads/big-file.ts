// One big file, one sequential reader (dd bs=1M): cold, then again after the first read.
import { dropCaches } from '../exec.js';
import { readParallel } from '../read.js';
import { directGetWhole } from '../direct-get.js';
import { metric, type WorkloadResult } from '../results.js';
import { guarded, type BenchContext } from '../context.js';

export async function bigFile(ctx: BenchContext): Promise<WorkloadResult> {
  const file = ctx.fixture.modelFiles[0]!;
  const cold = metric('cold, 1 sequential reader', 'MiB/s', 'higher');
  const warm = metric('warm (second read, page cache dropped)', 'MiB/s', 'higher');
  if (ctx.direct) {
    await guarded(ctx, 'big-file direct', async () => {
      await dropCaches();
      cold.values['direct'] = (await directGetWhole(ctx.client, ctx.fixture.bucket, [file])).mbps;
      warm.values['direct'] = (await directGetWhole(ctx.client, ctx.fixture.bucket, [file])).mbps;
    });
  }
  for (const t of ctx.targets) {
    await guarded(ctx, `big-file ${t.name}`, async () => {
      await t.makeCold();
      await dropCaches();
      cold.values[t.name] = (await readParallel(t.root, [file])).mbps;
      await dropCaches();
      warm.values[t.name] = (await readParallel(t.root, [file])).mbps;
      ctx.log(`big-file ${t.name}: cold ${cold.values[t.name]} warm ${warm.values[t.name]} MiB/s`);
    });
  }
  return {
    name: 'big-file',
    title: 'One big file, sequential',
    description: `${file.path} (${file.size / 1024 ** 2} MiB), one reader: dd bs=1M. Eddy's second read is served by the workers its first read filled (read-through).`,
    metrics: [cold, warm],
    notes: [],
  };
}

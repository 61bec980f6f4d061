// One big file, one sequential reader (dd bs=1M): cold, then again after the first read.
import { dropCaches } from '../exec.js';
import { expected } from '../fixture.js';
import { readParallel, type Expect } from '../read.js';
import { directGetWhole } from '../direct-get.js';
import { metric, recordPasses, type WorkloadResult } from '../results.js';
import { guarded, type BenchContext } from '../context.js';

export async function bigFile(ctx: BenchContext): Promise<WorkloadResult> {
  const file = ctx.fixture.modelFiles[0]!;
  const cold = metric('cold, 1 sequential reader', 'MiB/s', 'higher');
  const warm = metric('warm (second read, page cache dropped)', 'MiB/s', 'higher');
  const n = ctx.opts.passes;
  // The ceiling serves other (random) bytes of the same sizes: its reads are counted, not checked.
  const expectFor = (t: { kind: string }): Expect | undefined => (t.kind === 'ceiling' ? undefined : expected(ctx.fixture));
  if (ctx.direct) {
    await guarded(ctx, 'big-file direct', async () => {
      const c: number[] = [];
      const w: number[] = [];
      for (let i = 0; i < n; i++) {
        await dropCaches();
        c.push((await directGetWhole(ctx.client, ctx.fixture.bucket, [file])).mbps);
        w.push((await directGetWhole(ctx.client, ctx.fixture.bucket, [file])).mbps);
      }
      recordPasses(cold, 'direct', c);
      recordPasses(warm, 'direct', w);
    });
  }
  for (const t of ctx.targets) {
    await guarded(ctx, `big-file ${t.name}`, async () => {
      const c: number[] = [];
      const w: number[] = [];
      for (let i = 0; i < n; i++) {
        await t.makeCold();
        await dropCaches();
        c.push((await readParallel(t.root, [file], expectFor(t))).mbps);
        await dropCaches();
        w.push((await readParallel(t.root, [file], expectFor(t))).mbps);
      }
      recordPasses(cold, t.name, c);
      recordPasses(warm, t.name, w);
      ctx.log(`big-file ${t.name}: cold ${c.join(', ')} warm ${w.join(', ')} MiB/s`);
    });
  }
  return {
    name: 'big-file',
    title: 'One big file, sequential',
    description: `${file.path} (${file.size / 1024 ** 2} MiB), one reader: \`dd bs=1M | cksum\`; median of ${n} passes. Eddy's second read is served by the workers its first read filled (read-through).`,
    metrics: [cold, warm],
    notes: [],
  };
}

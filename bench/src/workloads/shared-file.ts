// N readers of one large file at once (the ranks of a tensor-parallel server loading the same
// shard): 4 and then 8 processes each read the whole of one model shard with `dd bs=1M | cksum`,
// all started together. Warm (Eddy: DataLoad; s3fs: a first full read), page cache dropped before
// each pass, so the readers race for the same pages and the filesystem serves each page once or more.
import { dropCaches } from '../exec.js';
import { expected } from '../fixture.js';
import { readParallel, type Expect } from '../read.js';
import { metric, recordPasses, type WorkloadResult } from '../results.js';
import { guarded, type BenchContext } from '../context.js';

export const SHARED_READERS = [4, 8] as const;

export async function sharedFile(ctx: BenchContext): Promise<WorkloadResult> {
  const file = ctx.fixture.modelFiles[0]!;
  const rows = new Map(SHARED_READERS.map((n) => [n, metric(`warm, ${n} readers of one file`, 'MiB/s', 'higher')]));
  // The ceiling serves other (random) bytes of the same size: its reads are counted, not checked.
  const expectFor = (t: { kind: string }): Expect | undefined => (t.kind === 'ceiling' ? undefined : expected(ctx.fixture));
  for (const t of ctx.targets) {
    await guarded(ctx, `shared-file ${t.name}`, async () => {
      if (t.kind === 'eddy') await t.warm([file]); else if (t.kind === 'peer') await readParallel(t.root, [file]);
      for (const n of SHARED_READERS) {
        const passes: number[] = [];
        for (let i = 0; i < ctx.opts.passes; i++) {
          await dropCaches();
          passes.push((await readParallel(t.root, Array.from({ length: n }, () => file), expectFor(t))).mbps);
        }
        recordPasses(rows.get(n)!, t.name, passes);
        ctx.log(`shared-file ${t.name} ${n} readers: ${passes.join(', ')} MiB/s`);
      }
    });
  }
  return {
    name: 'shared-file',
    title: 'N readers of one large file',
    description: `${SHARED_READERS.join(' and ')} readers of ${file.path} (${file.size / 1024 ** 2} MiB) at once, each reading the whole file with \`dd bs=1M | cksum\`; median of ${ctx.opts.passes} passes.`,
    metrics: [...rows.values()],
    notes: [
      'Warm: Eddy after a DataLoad of the file; s3fs after a first full read; page cache dropped before each pass.',
      'MiB/s = bytes all readers got together ÷ the time until the last one finished; every reader\'s CRC is checked (the ceiling\'s bytes are counted only).',
    ],
  };
}

// Many small files: `find` + stat of all (cold right after mounting, then again), then read all
// with 8 readers (first read, then warm: after an Eddy DataLoad, or the first read for peers).
// Eddy's master lists the bucket when the Dataset is applied, before the mount exists; that
// listing is reported beside the find and added to it in "find + stat with the listing", the
// figure that compares like for like with peers that list inside find.
import { join } from 'node:path';
import { dropCaches } from '../exec.js';
import { expected } from '../fixture.js';
import { findStat, readTree, type Expect } from '../read.js';
import { metric, recordPasses, type WorkloadResult } from '../results.js';
import { guarded, type BenchContext } from '../context.js';

export async function smallFiles(ctx: BenchContext): Promise<WorkloadResult> {
  const files = ctx.fixture.smallFiles;
  const n = ctx.opts.passes;
  // The ceiling serves other (random) bytes of the same sizes: its reads are counted, not checked.
  const expectFor = (t: { kind: string }): Expect | undefined => (t.kind === 'ceiling' ? undefined : expected(ctx.fixture));
  const find1 = metric('find + stat, first (cold)', 's', 'lower');
  const listing = metric('listing before the mount (Eddy: at Dataset apply)', 's', 'lower');
  const findAll = metric('find + stat, first, with the listing', 's', 'lower');
  const find2 = metric('find + stat, again', 's', 'lower');
  const read1 = metric('read all, 8 readers, first', 'files/s', 'higher');
  const read2 = metric('read all, 8 readers, warm', 'files/s', 'higher');
  const notes: string[] = [];
  for (const t of ctx.targets) {
    await guarded(ctx, `small-files ${t.name}`, async () => {
      const dir = join(t.root, 'small');
      const p = { f1: [] as number[], l: [] as number[], fa: [] as number[], f2: [] as number[], r1: [] as number[], r2: [] as number[] };
      for (let i = 0; i < n; i++) {
        await t.makeCold();
        await dropCaches();
        const f1 = await findStat(dir);
        if (f1.files !== files.length) notes.push(`${t.name}: find saw ${f1.files} of ${files.length} files`);
        const listed = (t.listingMs ?? 0) / 1000;
        p.f1.push(f1.ms / 1000);
        if (t.listingMs !== undefined) p.l.push(listed);
        p.fa.push(f1.ms / 1000 + listed);
        p.f2.push((await findStat(dir)).ms / 1000);
        await dropCaches();
        const r1 = await readTree(dir, 8, t.root, expectFor(t));
        if (r1.files !== files.length) throw new Error(`read ${r1.files} of ${files.length} files`);
        p.r1.push(Math.round(files.length / (r1.ms / 1000)));
        if (t.kind === 'eddy') await t.warm(files);
        await dropCaches();
        const r2 = await readTree(dir, 8, t.root, expectFor(t));
        if (r2.files !== files.length) throw new Error(`read ${r2.files} of ${files.length} files`);
        p.r2.push(Math.round(files.length / (r2.ms / 1000)));
      }
      recordPasses(find1, t.name, p.f1);
      recordPasses(listing, t.name, p.l);
      recordPasses(findAll, t.name, p.fa);
      recordPasses(find2, t.name, p.f2);
      recordPasses(read1, t.name, p.r1);
      recordPasses(read2, t.name, p.r2);
      ctx.log(`small-files ${t.name}: find ${p.f1.join(', ')} s (listing ${p.l.join(', ')} s), read ${p.r1.join(', ')} / ${p.r2.join(', ')} files/s`);
    });
  }
  return {
    name: 'small-files',
    title: 'Many small files',
    description: `${files.length} files × ${files[0] ? files[0].size / 1024 : 0} KiB in ${ctx.opts.smallDirs} directories. find = \`find small -type f -printf '%s\\n'\` (a stat per file); read = \`find -print0 | xargs -0 -P 8 -n 50 cksum\` (every file's CRC and length checked). Median of ${n} passes, each on a fresh mount.`,
    metrics: [find1, listing, findAll, find2, read1, read2],
    notes: [
      'First find runs on a fresh mount with an empty cache (fresh Eddy cluster) and dropped kernel caches.',
      'Listing: the master\'s own measure of listing the bucket for the Dataset applied at start (its "namespace refreshed" log line); s3fs and rclone list inside find, so they have none and their "with the listing" row equals the first find.',
      ...notes,
    ],
  };
}

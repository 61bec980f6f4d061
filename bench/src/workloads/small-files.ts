// Many small files: `find` + stat of all (cold right after mounting, then again), then read all
// with 8 readers (first read, then warm: after an Eddy DataLoad, or the first read for peers).
import { join } from 'node:path';
import { dropCaches } from '../exec.js';
import { findStat, readTree } from '../read.js';
import { metric, type WorkloadResult } from '../results.js';
import { guarded, type BenchContext } from '../context.js';

export async function smallFiles(ctx: BenchContext): Promise<WorkloadResult> {
  const files = ctx.fixture.smallFiles;
  const bytes = files.reduce((s, f) => s + f.size, 0);
  const find1 = metric('find + stat, first (cold)', 's', 'lower');
  const find2 = metric('find + stat, again', 's', 'lower');
  const read1 = metric('read all, 8 readers, first', 'files/s', 'higher');
  const read2 = metric('read all, 8 readers, warm', 'files/s', 'higher');
  const notes: string[] = [];
  for (const t of ctx.targets) {
    await guarded(ctx, `small-files ${t.name}`, async () => {
      const dir = join(t.root, 'small');
      await t.makeCold();
      await dropCaches();
      const f1 = await findStat(dir);
      if (f1.files !== files.length) notes.push(`${t.name}: find saw ${f1.files} of ${files.length} files`);
      find1.values[t.name] = f1.ms / 1000;
      find2.values[t.name] = (await findStat(dir)).ms / 1000;
      await dropCaches();
      const r1 = await readTree(dir, 8, bytes);
      read1.values[t.name] = Math.round(files.length / (r1.ms / 1000));
      if (t.kind === 'eddy') await t.warm(files);
      await dropCaches();
      const r2 = await readTree(dir, 8, bytes);
      read2.values[t.name] = Math.round(files.length / (r2.ms / 1000));
      ctx.log(`small-files ${t.name}: find ${find1.values[t.name]}/${find2.values[t.name]} s, read ${read1.values[t.name]}/${read2.values[t.name]} files/s`);
    });
  }
  return {
    name: 'small-files',
    title: 'Many small files',
    description: `${files.length} files × ${files[0] ? files[0].size / 1024 : 0} KiB in ${ctx.opts.smallDirs} directories. find = \`find small -type f -printf '%s\\n'\` (a stat per file); read = \`find -print0 | xargs -0 -P 8 -n 50 cat\`.`,
    metrics: [find1, find2, read1, read2],
    notes: ['First find runs on a fresh mount with an empty cache (fresh Eddy cluster) and dropped kernel caches.', ...notes],
  };
}

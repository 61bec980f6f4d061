// Re-reading a cached model while the kernel keeps its page cache (Eddy mounts with kernel_cache):
// the shards are read whole in parallel once, then again with nothing dropped, against the same
// read of the same bytes from files on tmpfs (the most any page-cache hit can give). What is left
// between the two is the FUSE open/lookup/getattr round trips and anything the client invalidates.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expected } from '../fixture.js';
import { readParallel, type Expect } from '../read.js';
import { metric, recordPasses, type WorkloadResult } from '../results.js';
import { guarded, type BenchContext } from '../context.js';

export async function pageCache(ctx: BenchContext): Promise<WorkloadResult> {
  const files = ctx.fixture.modelFiles;
  const row = metric('re-read, page cache kept (no drop)', 'MiB/s', 'higher');
  const expectFor = (kind: string): Expect | undefined => (kind === 'ceiling' ? undefined : expected(ctx.fixture));
  const measure = async (name: string, root: string, kind: string): Promise<void> => {
    await readParallel(root, files, expectFor(kind));
    const passes: number[] = [];
    for (let i = 0; i < ctx.opts.passes; i++) passes.push((await readParallel(root, files, expectFor(kind))).mbps);
    recordPasses(row, name, passes);
    ctx.log(`page-cache ${name}: ${passes.join(', ')} MiB/s`);
  };
  const tmpfs = join('/dev/shm', `eddy-bench-${process.pid}-page-cache`);
  await guarded(ctx, 'page-cache tmpfs', async () => {
    await mkdir(join(tmpfs, 'model'), { recursive: true });
    ctx.cleanup.add('page-cache tmpfs copy', async () => { await rm(tmpfs, { recursive: true, force: true }); });
    for (const f of files) await ctx.client.fGetObject(ctx.fixture.bucket, f.path, join(tmpfs, f.path));
    await measure('tmpfs', tmpfs, 'tmpfs');
  });
  await rm(tmpfs, { recursive: true, force: true });
  for (const t of ctx.targets) {
    await guarded(ctx, `page-cache ${t.name}`, async () => {
      if (t.kind === 'eddy') await t.warm(files);
      await measure(t.name, t.root, t.kind);
    });
  }
  return {
    name: 'page-cache',
    title: 'Warm re-read, page cache kept',
    description: `${files.length} files × ${(files[0]?.size ?? 0) / 1024 ** 2} MiB read whole in parallel (\`dd bs=1M | cksum\` per file) once, then again ${ctx.opts.passes} times with nothing dropped; median of the re-reads. tmpfs = the same bytes as files under /dev/shm, read the same way.`,
    metrics: [row],
    notes: [
      'Eddy mounts with kernel_cache: a re-open of an unchanged file keeps its pages. s3fs and the ceiling run without it (libfuse\'s default drops a file\'s pages at each open), so their row measures their daemon, not the page cache.',
      'Every re-read is checked (cksum) against the uploaded bytes (the ceiling\'s are counted only).',
    ],
  };
}

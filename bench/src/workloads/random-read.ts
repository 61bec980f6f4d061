// Random reads with fio (Debian fio): 4 KiB and 256 KiB blocks over one shard, one job, psync,
// time-based. Targets are warm (the shard is in their cache) and the page cache is dropped first.
import { join } from 'node:path';
import { dropCaches, run } from '../exec.js';
import { readParallel } from '../read.js';
import { metric, recordPasses, type WorkloadResult } from '../results.js';
import { guarded, type BenchContext } from '../context.js';

interface FioJob { read: { iops: number; bw_bytes: number; clat_ns?: { mean: number; percentile?: Record<string, number> } } }

async function fio(file: string, bs: string, size: number, runtime: number): Promise<FioJob['read']> {
  const r = await run('fio', [
    '--name=randread', `--filename=${file}`, '--readonly', '--rw=randread', `--bs=${bs}`, '--ioengine=psync',
    '--iodepth=1', '--numjobs=1', '--time_based', `--runtime=${runtime}`, `--size=${size}`, '--invalidate=1',
    '--randrepeat=0', '--output-format=json',
  ], { timeoutMs: (runtime + 120) * 1000 });
  const out = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { jobs: FioJob[] };
  const job = out.jobs[0];
  if (!job) throw new Error('fio printed no job');
  return job.read;
}

export async function randomRead(ctx: BenchContext): Promise<WorkloadResult> {
  const file = ctx.fixture.modelFiles[0]!;
  const metrics = [];
  const rows = new Map<string, ReturnType<typeof metric>>();
  for (const bs of ['4k', '256k']) {
    rows.set(`${bs}-iops`, metric(`${bs} random read`, 'IOPS', 'higher'));
    rows.set(`${bs}-p99`, metric(`${bs} p99 latency`, 'ms', 'lower'));
  }
  for (const t of ctx.targets) {
    await guarded(ctx, `random-read ${t.name}`, async () => {
      if (t.kind === 'eddy') await t.warm([file]); else await readParallel(t.root, [file]);
      for (const bs of ['4k', '256k']) {
        const iops: number[] = [];
        const p99s: number[] = [];
        for (let i = 0; i < ctx.opts.passes; i++) {
          await dropCaches();
          const r = await fio(join(t.root, file.path), bs, file.size, ctx.opts.fioRuntime);
          iops.push(Math.round(r.iops));
          const p99 = r.clat_ns?.percentile?.['99.000000'];
          if (p99 !== undefined) p99s.push(Math.round(p99 / 1e4) / 100);
        }
        recordPasses(rows.get(`${bs}-iops`)!, t.name, iops);
        recordPasses(rows.get(`${bs}-p99`)!, t.name, p99s);
        ctx.log(`random-read ${t.name} ${bs}: ${iops.join(', ')} IOPS`);
      }
    });
  }
  metrics.push(...rows.values());
  return {
    name: 'random-read',
    title: 'Random reads (fio)',
    description: `fio randread over ${file.path} (${file.size / 1024 ** 2} MiB): ioengine=psync, iodepth=1, numjobs=1, ${ctx.opts.fioRuntime} s per block size, median of ${ctx.opts.passes} runs; the file is warm in each target (Eddy: DataLoad; peers: a full read) and the page cache is dropped first.`,
    metrics,
    notes: ['Kernel readahead (FUSE default) applies to every target alike, so a 4 KiB read can fetch up to 128 KiB.'],
  };
}

// A safetensors load as vLLM does it, warm: bench/safetensors-load.py maps the checkpoint, reads
// the header, then copies each tensor's range out of the mapping in file order, so the filesystem
// serves page faults (readahead windows), not read(2) calls of the reader's choosing. The targets
// are warm (Eddy: DataLoad; s3fs: a first full read) and the page cache is dropped before each pass.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropCaches, run } from '../exec.js';
import { readParallel, WrongBytesError } from '../read.js';
import { metric, recordPasses, type WorkloadResult } from '../results.js';
import { guarded, type BenchContext } from '../context.js';

const LOADER = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'safetensors-load.py');

interface LoadResult { ms: number; bytes: number; tensors: number; crc32: number; header_ms: number }

/** Runs the mmap loader on `path`; checks the bytes it got against `crc` (unless undefined). */
export async function safetensorsLoad(path: string, crc: number | undefined): Promise<LoadResult> {
  const r = await run('python3', [LOADER, path], { timeoutMs: 1_800_000 });
  const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as LoadResult;
  if (crc !== undefined && out.crc32 !== crc) throw new WrongBytesError(`${path}: mmap load read crc32 ${out.crc32}, expected ${crc}`);
  return out;
}

export async function safetensors(ctx: BenchContext): Promise<WorkloadResult> {
  const st = ctx.fixture.safetensors;
  if (!st) throw new Error('the fixture has no safetensors file');
  const tput = metric('warm, mmap load (header, then every tensor in file order)', 'MiB/s', 'higher');
  const secs = metric('warm, time to load', 's', 'lower');
  const header = metric('warm, time to the parsed header', 'ms', 'lower');
  for (const t of ctx.targets) {
    await guarded(ctx, `safetensors ${t.name}`, async () => {
      if (t.kind === 'eddy') await t.warm([st]); else if (t.kind === 'peer') await readParallel(t.root, [st]);
      const m: number[] = [];
      const s: number[] = [];
      const h: number[] = [];
      for (let i = 0; i < ctx.opts.passes; i++) {
        await dropCaches();
        const r = await safetensorsLoad(join(t.root, st.path), st.crc32);
        m.push(Math.round((r.bytes / 1024 ** 2 / (r.ms / 1000)) * 10) / 10);
        s.push(r.ms / 1000);
        h.push(Math.round(r.header_ms * 10) / 10);
      }
      recordPasses(tput, t.name, m);
      recordPasses(secs, t.name, s);
      recordPasses(header, t.name, h);
      ctx.log(`safetensors ${t.name}: ${m.join(', ')} MiB/s`);
    });
  }
  return {
    name: 'safetensors',
    title: 'safetensors load (mmap, as vLLM)',
    description: `${st.path}: ${(st.size / 1024 ** 2).toFixed(1)} MiB, ${st.tensors} tensors (a small transformer's projections of 2–5.5 MiB and norms of 4 KiB). \`python3 bench/safetensors-load.py\` maps the file, reads the 8-byte header length and the JSON header, then copies each tensor's range out of the mapping in file order; median of ${ctx.opts.passes} passes.`,
    metrics: [tput, secs, header],
    notes: [
      'Warm: Eddy after a DataLoad of the file; s3fs after a first full read; page cache dropped before each pass.',
      'MiB/s = file bytes ÷ time from open to the last tensor copied; the copies\' CRC-32 (with the header\'s) is checked against the uploaded file after the clock stops. The ceiling serves the same bytes from memory.',
    ],
  };
}

// Readers used by every workload: whole-file reads with dd (one process per file, so the bench's
// own event loop is never the bottleneck), find+stat, many-file reads with xargs -P.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { run, sh } from './exec.js';
import type { FixtureFile } from './fixture.js';

export interface ReadResult { ms: number; bytes: number; mbps: number }

export function result(ms: number, bytes: number): ReadResult {
  return { ms: Math.round(ms), bytes, mbps: Math.round((bytes / 1024 ** 2 / (ms / 1000)) * 10) / 10 };
}

/** Reads every file whole, all in parallel (as an inference server loads its shards). */
export async function readParallel(root: string, files: FixtureFile[], timeoutMs = 1_800_000): Promise<ReadResult> {
  const t0 = performance.now();
  await Promise.all(files.map((f) => run('dd', [`if=${join(root, f.path)}`, 'of=/dev/null', 'bs=1M', 'status=none'], { timeoutMs })));
  return result(performance.now() - t0, files.reduce((s, f) => s + f.size, 0));
}

/** `find` + stat of every file under dir; returns ms and the number of files seen. */
export async function findStat(dir: string): Promise<{ ms: number; files: number }> {
  const r = await run('find', [dir, '-type', 'f', '-printf', '%s\n'], { timeoutMs: 1_800_000 });
  return { ms: Math.round(r.ms), files: r.stdout.split('\n').filter(Boolean).length };
}

/** Reads every file under dir with `readers` parallel cat processes. */
export async function readTree(dir: string, readers: number, bytes: number): Promise<ReadResult> {
  const r = await sh(`find ${JSON.stringify(dir)} -type f -print0 | xargs -0 -P ${readers} -n 50 cat > /dev/null`, { timeoutMs: 1_800_000 });
  return result(r.ms, bytes);
}

/** The first `n` bytes of a file (a fresh open, so the target re-checks the version). */
export async function readPrefix(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

// Readers used by every workload: whole-file reads with dd (one process per file, so the bench's
// own event loop is never the bottleneck), find+stat, many-file reads with xargs -P. Every reader
// pipes what it read through `cksum`: throughput comes from the bytes actually read, and a file
// whose bytes differ from what the fixture uploaded fails the figure instead of counting.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { run, sh } from './exec.js';
import type { FixtureFile } from './fixture.js';
import { parseCksum, type CksumValue } from './cksum.js';

export interface ReadResult {
  ms: number;
  /** Bytes the readers got (counted by cksum), not the fixture's sizes. */
  bytes: number;
  mbps: number;
  /** Files read (each checked against its expected cksum when one was given). */
  files: number;
}

/** What a reader should have got for a path, or undefined to only count. */
export type Expect = (path: string) => CksumValue | undefined;

export class WrongBytesError extends Error {
  override readonly name = 'WrongBytesError';
}

export function result(ms: number, bytes: number, files = 1): ReadResult {
  return { ms: Math.round(ms), bytes, mbps: Math.round((bytes / 1024 ** 2 / (ms / 1000)) * 10) / 10, files };
}

function check(path: string, got: CksumValue, expect: Expect | undefined): void {
  const want = expect?.(path);
  if (want !== undefined && want !== got) throw new WrongBytesError(`${path}: read "${got}" (crc bytes), expected "${want}"`);
}

/** Reads every file whole, all in parallel (as an inference server loads its shards). */
export async function readParallel(root: string, files: FixtureFile[], expect?: Expect, timeoutMs = 1_800_000): Promise<ReadResult> {
  const t0 = performance.now();
  const sums = await Promise.all(files.map(async (f) => {
    const r = await run('bash', ['-c', 'set -o pipefail; dd if="$1" bs=1M status=none | cksum', 'read', join(root, f.path)], { timeoutMs });
    const v = parseCksum(r.stdout);
    if (!v) throw new Error(`cksum printed ${JSON.stringify(r.stdout)} for ${f.path}`);
    return { f, v };
  }));
  const ms = performance.now() - t0;
  for (const { f, v } of sums) check(f.path, `${v.crc} ${v.bytes}`, expect);
  return result(ms, sums.reduce((s, x) => s + x.v.bytes, 0), files.length);
}

/** `find` + stat of every file under dir; returns ms and the number of files seen. */
export async function findStat(dir: string): Promise<{ ms: number; files: number }> {
  const r = await run('find', [dir, '-type', 'f', '-printf', '%s\n'], { timeoutMs: 1_800_000 });
  return { ms: Math.round(r.ms), files: r.stdout.split('\n').filter(Boolean).length };
}

/**
 * Reads every file under dir with `readers` parallel cksum processes (50 files each); every
 * file's CRC and length is checked against `expect` (paths relative to `base`).
 */
export async function readTree(dir: string, readers: number, base: string, expect?: Expect): Promise<ReadResult> {
  const r = await sh(`find ${JSON.stringify(dir)} -type f -print0 | xargs -0 -P ${readers} -n 50 cksum`, { timeoutMs: 1_800_000 });
  let bytes = 0;
  let files = 0;
  for (const line of r.stdout.split('\n')) {
    const v = parseCksum(line);
    if (!v) continue;
    files++;
    bytes += v.bytes;
    check(v.path.startsWith(`${base}/`) ? v.path.slice(base.length + 1) : v.path, `${v.crc} ${v.bytes}`, expect);
  }
  return result(r.ms, bytes, files);
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

// The network reference: the same files fetched straight from the bucket with the MinIO JS client
// (the client Eddy's s3:// driver uses), bytes counted and dropped. Two shapes: one GET per object
// in parallel, and 16 MiB ranged GETs with 8 in flight (what a block cache can do at best).
import type { Readable } from 'node:stream';
import type * as Minio from 'minio';
import pLimit from 'p-limit';
import type { FixtureFile } from './fixture.js';
import { result, type ReadResult } from './read.js';

async function drain(stream: Readable): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += (chunk as Buffer).length;
  return n;
}

export async function directGetWhole(client: Minio.Client, bucket: string, files: FixtureFile[]): Promise<ReadResult> {
  const t0 = performance.now();
  const sizes = await Promise.all(files.map(async (f) => await drain(await client.getObject(bucket, f.path))));
  const bytes = sizes.reduce((a, b) => a + b, 0);
  return result(performance.now() - t0, bytes);
}

export async function directGetRanged(client: Minio.Client, bucket: string, files: FixtureFile[], rangeSize = 16 * 1024 * 1024,
  concurrency = 8): Promise<ReadResult> {
  const limit = pLimit(concurrency);
  const t0 = performance.now();
  const jobs: Promise<number>[] = [];
  for (const f of files) {
    for (let off = 0; off < f.size; off += rangeSize) {
      const len = Math.min(rangeSize, f.size - off);
      jobs.push(limit(async () => await drain(await client.getPartialObject(bucket, f.path, off, len))));
    }
  }
  const bytes = (await Promise.all(jobs)).reduce((a, b) => a + b, 0);
  return result(performance.now() - t0, bytes);
}

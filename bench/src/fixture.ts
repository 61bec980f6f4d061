// The benchmark data set in the bucket: N model shards of random bytes and many small files in
// 100 directories. Content is generated on the fly (never held whole in memory) and the first
// bytes of every shard version are kept so readers can tell an old version from a new one.
import { Readable } from 'node:stream';
import { randomBytes, createHash, type Hash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as Minio from 'minio';
import pLimit from 'p-limit';
import { CksumStream, type CksumValue } from './cksum.js';
import { buildSafetensors } from './safetensors-file.js';

export interface FixtureFile { path: string; size: number }

/** The safetensors-shaped checkpoint (issue 17): in the bucket, and on local disk for the ceiling to serve. */
export interface SafetensorsFixture extends FixtureFile {
  /** zlib CRC-32 of the whole file. */
  crc32: number;
  tensors: number;
  /** The same bytes in the work dir. */
  localPath: string;
}

export interface Fixture {
  bucket: string;
  modelFiles: FixtureFile[];
  smallFiles: FixtureFile[];
  /** First PREFIX_BYTES, sha256 and cksum of each model shard's current version, by path. */
  versions: Map<string, ObjectVersion>;
  /** cksum of every small file (they share one body). */
  smallCksum: CksumValue | undefined;
  /** Present when a workload that needs it was selected. */
  safetensors: SafetensorsFixture | undefined;
}

export interface ObjectVersion { prefix: Buffer; sha256: string; cksum: CksumValue }

/** What a reader of `path` should get: the current version's cksum (small files share one). */
export function expected(f: Fixture): (path: string) => CksumValue | undefined {
  return (path) => f.versions.get(path)?.cksum ?? (path.startsWith('small/') ? f.smallCksum : undefined);
}

export const PREFIX_BYTES = 64 * 1024;
const CHUNK = 4 * 1024 * 1024;

/** A stream of `size` random bytes whose first PREFIX_BYTES are `prefix`. */
function randomStream(size: number, prefix: Buffer, hash: Hash, sum: CksumStream): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) { this.push(null); return; }
      const n = Math.min(CHUNK, size - sent);
      const chunk = randomBytes(n);
      if (sent === 0) prefix.copy(chunk, 0, 0, Math.min(prefix.length, n));
      sent += n;
      hash.update(chunk);
      sum.update(chunk);
      this.push(chunk);
    },
  });
}

/** Uploads (or replaces) one random object; returns its first PREFIX_BYTES, its sha256 and its cksum. */
export async function putRandomObject(client: Minio.Client, bucket: string, path: string, size: number): Promise<ObjectVersion> {
  const prefix = randomBytes(Math.min(PREFIX_BYTES, size));
  const hash = createHash('sha256');
  const sum = new CksumStream();
  try {
    await client.putObject(bucket, path, randomStream(size, prefix, hash, sum), size, { 'Content-Type': 'application/octet-stream' });
  } catch (err) {
    await sum.digest().catch(() => undefined);
    throw err;
  }
  return { prefix, sha256: hash.digest('hex'), cksum: await sum.digest() };
}

export function modelPaths(count: number, size: number): FixtureFile[] {
  return Array.from({ length: count }, (_, i) => ({ path: `model/shard-${i}.bin`, size }));
}

export function smallPaths(count: number, dirs: number, size: number): FixtureFile[] {
  return Array.from({ length: count }, (_, i) => ({
    path: `small/d${String(i % dirs).padStart(3, '0')}/f${String(i).padStart(5, '0')}.bin`,
    size,
  }));
}

export async function createFixture(client: Minio.Client, bucket: string,
  o: { modelFiles: number; modelSize: number; smallFiles: number; smallDirs: number; smallSize: number; withSmall: boolean;
    /** Where to keep a local copy of the safetensors file; no such file when undefined. */
    safetensorsDir?: string | undefined },
  log: (m: string) => void): Promise<Fixture> {
  const modelFiles = modelPaths(o.modelFiles, o.modelSize);
  const smallFiles = o.withSmall ? smallPaths(o.smallFiles, o.smallDirs, o.smallSize) : [];
  const versions = new Map<string, ObjectVersion>();
  const t0 = performance.now();
  // Two shards at a time: the S3 server and this process share 2 cores.
  const big = pLimit(2);
  await Promise.all(modelFiles.map((f) => big(async () => { versions.set(f.path, await putRandomObject(client, bucket, f.path, f.size)); })));
  log(`uploaded ${modelFiles.length} model shards in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const t1 = performance.now();
  const small = pLimit(16);
  const body = randomBytes(o.smallSize);
  const bodySum = new CksumStream();
  bodySum.update(body);
  const smallCksum = await bodySum.digest();
  await Promise.all(smallFiles.map((f) => small(async () => { await client.putObject(bucket, f.path, body, f.size); })));
  if (smallFiles.length) log(`uploaded ${smallFiles.length} small files in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  const safetensors = o.safetensorsDir === undefined ? undefined : await putSafetensors(client, bucket, o.modelSize, o.safetensorsDir);
  if (safetensors) log(`uploaded ${safetensors.path} (${safetensors.tensors} tensors, ${(safetensors.size / 1024 ** 2).toFixed(1)} MiB)`);
  return { bucket, modelFiles, smallFiles, versions, smallCksum: smallFiles.length ? smallCksum : undefined, safetensors };
}

async function putSafetensors(client: Minio.Client, bucket: string, size: number, dir: string): Promise<SafetensorsFixture> {
  const st = buildSafetensors(size);
  const path = 'model/model.safetensors';
  const localPath = join(dir, 'model.safetensors');
  await writeFile(localPath, st.bytes);
  await client.putObject(bucket, path, st.bytes, st.bytes.length, { 'Content-Type': 'application/octet-stream' });
  return { path, size: st.bytes.length, crc32: st.crc32, tensors: st.tensors.length, localPath };
}

// The s3-passthrough floor's fetch threads (bench/s3-passthrough-fs.ts --fetch-threads N): each
// runs ranged GETs on its own event loop and writes their bytes into the SharedArrayBuffer the
// main thread gave with the job, telling it how far the range is filled every MiB and at the end.
// So HTTP parsing runs beside the thread that answers FUSE, as a client with a pool of I/O threads
// (or Eddy with its workers in other processes) would, instead of on the same core.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import * as Minio from 'minio';
import type { S3Access } from '../targets/target.js';

export type FetchJob = { id: number; key: string; offset: number; length: number; sab: SharedArrayBuffer } | { abort: number };
export type FetchNews = { id: number; filled: number; done: boolean; err?: string };

const NOTIFY_EVERY = 1024 * 1024;

if (parentPort) {
  const port = parentPort;
  const s3 = workerData as S3Access;
  const useSSL = s3.endpoint.startsWith('https:');
  const agent = useSSL ? new HttpsAgent({ keepAlive: true, maxSockets: 256 }) : new HttpAgent({ keepAlive: true, maxSockets: 256 });
  const client = new Minio.Client({ endPoint: s3.host, port: s3.port, useSSL, accessKey: s3.accessKey, secretKey: s3.secretKey,
    region: s3.region, pathStyle: true, transportAgent: agent });
  const streams = new Map<number, Readable>();
  const aborted = new Set<number>();
  port.on('message', (job: FetchJob) => {
    if ('abort' in job) {
      aborted.add(job.abort);
      streams.get(job.abort)?.destroy();
      streams.delete(job.abort);
      return;
    }
    const buf = Buffer.from(job.sab);
    let filled = 0;
    let told = 0;
    const tell = (done: boolean, err?: unknown): void => {
      told = filled;
      port.postMessage({ id: job.id, filled, done, ...(err === undefined ? {} : { err: String(err) }) } satisfies FetchNews);
    };
    client.getPartialObject(s3.bucket, job.key, job.offset, job.length).then((stream) => {
      if (aborted.delete(job.id)) { stream.destroy(); return; }
      streams.set(job.id, stream);
      stream.on('data', (c: Buffer) => {
        filled += c.copy(buf, filled);
        if (filled - told >= NOTIFY_EVERY) tell(false);
      });
      stream.once('end', () => { streams.delete(job.id); tell(true, filled === job.length ? undefined : `short range: ${filled} of ${job.length}`); });
      stream.once('error', (err) => { streams.delete(job.id); if (!aborted.delete(job.id)) tell(true, err); });
    }, (err: unknown) => { tell(true, err); });
  });
}

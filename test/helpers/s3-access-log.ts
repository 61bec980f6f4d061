// Reads versitygw's S3 server access log (`--access-log FILE`, AWS server access log fields):
// which objects were read from the bucket and how many bytes each GET sent. The cross-region
// tests count the bucket's bytes per object with it.
import { readFile } from 'node:fs/promises';

export interface S3AccessEntry {
  bucket: string;
  operation: string;
  key: string;
  status: number;
  bytesSent: number;
}

// `owner bucket [time] ip requester request-id operation key request-uri status error bytes-sent object-size ...`
const LINE = /^\S+ (\S+) \[[^\]]*\] \S+ \S+ \S+ (\S+) (\S+) \S+ (\d{3}) \S+ (\d+|-) /;

export async function readS3AccessLog(file: string): Promise<S3AccessEntry[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const out: S3AccessEntry[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    out.push({ bucket: m[1]!, operation: m[2]!, key: m[3]!, status: Number(m[4]), bytesSent: m[5] === '-' ? 0 : Number(m[5]) });
  }
  return out;
}

/** Bytes of successful GetObject responses per object key. */
export async function bucketBytesByKey(file: string, bucket: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const e of await readS3AccessLog(file)) {
    if (e.bucket !== bucket || e.operation !== 's3_GetObject' || e.status >= 300) continue;
    out.set(e.key, (out.get(e.key) ?? 0) + e.bytesSent);
  }
  return out;
}

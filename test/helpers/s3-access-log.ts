// Reads versitygw's S3 server access log (`--access-log FILE`, the AWS server access log fields):
// which objects were read from the bucket, request by request. versitygw writes 0 in the
// bytes-sent field of GetObject, so the cross-region tests count GETs per object instead: Eddy
// fetches a block with exactly one ranged GET, so an object fetched once is one GET per block.
import { readFile } from 'node:fs/promises';

export interface S3AccessEntry {
  bucket: string;
  operation: string;
  key: string;
  status: number;
}

// `owner bucket [time] ip requester request-id operation key request-uri status ...`
const LINE = /^\S+ (\S+) \[[^\]]*\] \S+ \S+ \S+ (\S+) (\S+) \S+ (\d{3}) /;

export async function readS3AccessLog(file: string): Promise<S3AccessEntry[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const out: S3AccessEntry[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (m) out.push({ bucket: m[1]!, operation: m[2]!, key: m[3]!, status: Number(m[4]) });
  }
  return out;
}

/** Successful GetObject requests per object key of `bucket`. */
export async function bucketGetsByKey(file: string, bucket: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const e of await readS3AccessLog(file)) {
    if (e.bucket !== bucket || e.operation !== 's3_GetObject' || e.status >= 300) continue;
    out.set(e.key, (out.get(e.key) ?? 0) + 1);
  }
  return out;
}

// A store that answers without an ETag gives nothing to tie the bytes to: stat, list and a
// version-checked read refuse it (MissingVersionError) instead of caching under an empty version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Ufs } from '../src/s3-ufs.js';
import { MissingVersionError } from '../src/ufs-errors.js';

const LIST = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult><Name>bkt</Name><Prefix>p/</Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>
<Contents><Key>p/a.bin</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><Size>4</Size><StorageClass>STANDARD</StorageClass></Contents>
</ListBucketResult>`;

/** Just enough of S3 for one object, every response without an ETag. */
function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const common = { 'last-modified': 'Thu, 01 Jan 2026 00:00:00 GMT', 'x-amz-request-id': '1' };
  if (url.searchParams.has('versioning')) {
    res.writeHead(200, { 'content-type': 'application/xml' }).end('<VersioningConfiguration/>');
  } else if (url.searchParams.get('list-type') === '2') {
    res.writeHead(200, { 'content-type': 'application/xml' }).end(LIST);
  } else if (req.method === 'HEAD') {
    res.writeHead(200, { ...common, 'content-length': '4' }).end();
  } else {
    res.writeHead(200, { ...common, 'content-length': '4' }).end('abcd');
  }
}

test('s3://: stat, list and an If-Match read of an object without an ETag are refused with MissingVersionError', async () => {
  const server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  let ufs: S3Ufs | undefined;
  try {
    const s3 = new S3Ufs({ url: 's3://bkt/p', options: { 'fs.s3.endpoint': `http://127.0.0.1:${port}`, 'fs.s3.region': 'us-east-1' } }, { retryAttempts: 1 });
    ufs = s3;
    await assert.rejects(s3.stat('a.bin'), MissingVersionError);
    await assert.rejects(async () => { for await (const e of s3.list('')) void e; }, MissingVersionError);
    await assert.rejects(s3.read('a.bin', { ifMatch: 'abc' }), MissingVersionError);
    // A plain read (no version asked for) still works: nothing is claimed about its version.
    const chunks: Buffer[] = [];
    for await (const c of await s3.read('a.bin')) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), 'abcd');
  } finally {
    await ufs?.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

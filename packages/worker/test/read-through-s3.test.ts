// (e) Read-through against a real S3 server (versitygw): every byte checked by SHA-256, one GET
// per block however many readers, cached re-reads, and a replaced object failing typed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startS3Server, waitFor, type S3Endpoint } from '@eddy/testkit';
import { DataChannelClient } from '@eddy/protocol';
import { createUfs } from '@eddy/ufs';
import { VersionMismatchError } from '@eddy/core';
import { startWorker, type WorkerHandle } from '../src/index.js';
import { CountingUfs, refsFor, tempDir } from './helpers.js';

const BS = 4 * 1024 * 1024;
const TOKEN = 's3-token';
let s3: S3Endpoint;
let bucket: string;
let worker: WorkerHandle;
let counting: CountingUfs | undefined;
let tier: { path: string; cleanup(): Promise<void> };
let mountOptions: Record<string, string>;

before(async () => {
  s3 = await startS3Server();
  bucket = await s3.createBucket('rt');
  tier = await tempDir();
  mountOptions = {
    'fs.s3.endpoint': s3.endpoint, 'fs.s3.region': s3.region, 'fs.s3.pathStyleAccess': 'true',
    'fs.s3.accessKeyId': s3.accessKey, 'fs.s3.accessKeySecret': s3.secretKey,
  };
  worker = await startWorker({
    runtime: 'demo', listen: '127.0.0.1:0', token: TOKEN, fsync: false,
    tiers: [{ medium: 'MEM', path: tier.path, quotaBytes: 64 * BS, high: 0.95, low: 0.8 }],
    mounts: { ds: { mounts: [{ url: `s3://${bucket}/data`, path: '/', options: mountOptions }], blockSize: BS } },
    ufsFactory: (c) => (counting = new CountingUfs(createUfs(c))),
  });
});

after(async () => {
  await worker?.close();
  await s3?.close();
  await tier?.cleanup();
});

async function putObject(key: string, data: Buffer): Promise<string> {
  await s3.client.putObject(bucket, `data/${key}`, data, data.length);
  const ufs = createUfs({ url: `s3://${bucket}/data`, options: mountOptions });
  try { return (await ufs.stat(key)).version; } finally { await ufs.close(); }
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('every byte of a multi-block object read through the data channel matches (SHA-256), once per block', async () => {
  const data = randomBytes(2 * BS + 1_234_567);
  const version = await putObject('big.bin', data);
  const refs = refsFor('/big.bin', version, data.length, BS);
  const client = new DataChannelClient(worker.dataAddress, { token: TOKEN, maxConnections: 4 });
  try {
    // Three readers per block, all at once: one GET per block.
    const before = counting?.reads ?? 0;
    const parts = await Promise.all(refs.flatMap((r) => [0, 1, 2].map(() => client.readBlock(r, 0, BS))));
    const first = refs.map((_, i) => parts[i * 3]!);
    parts.forEach((p, i) => assert.equal(sha(p), sha(first[Math.floor(i / 3)]!)));
    assert.equal(sha(Buffer.concat(first)), sha(data));
    assert.equal(counting!.reads - before, refs.length, 'one UFS GET per block');
    // Cached: same bytes, no GET.
    await waitFor(() => refs.every((r) => worker.store.has(r.key)), { what: 'blocks stored' });
    const again = await Promise.all(refs.map((r) => client.readBlock(r, 0, BS)));
    assert.equal(sha(Buffer.concat(again)), sha(data));
    assert.equal(counting!.reads - before, refs.length);
    // Ranges inside blocks.
    const mid = await client.readBlock(refs[1]!, 12345, 100_000);
    assert.equal(sha(mid), sha(data.subarray(BS + 12345, BS + 112345)));
  } finally { await client.close(); }
});

test('a replaced object: blocks of the old version fail with VersionMismatchError, never mixed bytes', async () => {
  const v1 = randomBytes(BS + 10);
  const version1 = await putObject('swap.bin', v1);
  const refs1 = refsFor('/swap.bin', version1, v1.length, BS);
  const client = new DataChannelClient(worker.dataAddress, { token: TOKEN });
  try {
    assert.equal(sha(await client.readBlock(refs1[0]!, 0, BS)), sha(v1.subarray(0, BS)));
    await putObject('swap.bin', randomBytes(BS + 10));
    await assert.rejects(client.readBlock(refs1[1]!, 0, BS), VersionMismatchError);
    assert.equal(worker.store.has(refs1[1]!.key), false);
    // The cached block of the old version is still the old version's bytes.
    assert.equal(sha(await client.readBlock(refs1[0]!, 0, BS)), sha(v1.subarray(0, BS)));
  } finally { await client.close(); }
});

// Runs the UFS conformance suite against a real S3 server (versitygw from @eddy/testkit).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { startS3Server, freePort, type S3Endpoint } from '@eddy/testkit';
import { S3Ufs } from '../src/s3-ufs.js';
import { createUfs } from '../src/create-ufs.js';
import { AbortedError, TimeoutError, ValidationError } from '@eddy/core';
import type { UfsMountConfig } from '../src/under-file-system.js';
import { runUfsConformance, readAll } from './ufs-conformance.js';

let s3: S3Endpoint;
let bucket: string;
/** A bucket with versioning on, on the same server. */
let versionedBucket: string;
const MOUNT_PREFIX = 'mnt/data set/';

function config(overrides: Record<string, string> = {}, inBucket = bucket): UfsMountConfig {
  return {
    url: `s3://${inBucket}/${MOUNT_PREFIX}`,
    options: {
      'fs.s3.endpoint': s3.endpoint,
      'fs.s3.region': s3.region,
      'fs.s3.pathStyleAccess': 'true',
      'fs.s3.accessKeyId': s3.accessKey,
      'fs.s3.accessKeySecret': s3.secretKey,
      ...overrides,
    },
  };
}

before(async () => {
  s3 = await startS3Server({ versioning: true });
  bucket = await s3.createBucket('ufs', { versioned: false });
  versionedBucket = await s3.createBucket('ufs-versioned', { versioned: true });
});
after(async () => { await s3?.close(); });

runUfsConformance('s3', async () => {
  const ufs = new S3Ufs(config());
  return {
    ufs,
    async put(key, data) {
      await s3.client.putObject(bucket, MOUNT_PREFIX + key, data, data.length);
    },
    wrongCredentials() {
      const secret = 'wrong-secret-9f8e7d6c5b4a';
      return { ufs: new S3Ufs(config({ 'fs.s3.accessKeySecret': secret })), secret };
    },
    async unreachable() {
      const port = await freePort();
      return new S3Ufs(config({ 'fs.s3.endpoint': `http://127.0.0.1:${port}` }), { retryBaseDelayMs: 10 });
    },
    async close() { await ufs.close(); },
  };
});

// The same contract over a bucket that keeps versions: listings come from ListObjectVersions.
runUfsConformance('s3, versioned bucket', async () => {
  const ufs = new S3Ufs(config({}, versionedBucket));
  return {
    ufs,
    keepsVersions: true,
    async put(key, data) {
      await s3.client.putObject(versionedBucket, MOUNT_PREFIX + key, data, data.length);
    },
    async close() { await ufs.close(); },
  };
});

test('createUfs picks S3Ufs for s3:// and validates options by name', async () => {
  const ufs = createUfs(config());
  assert.ok(ufs instanceof S3Ufs);
  await ufs.close();
  await ufs.close(); // idempotent
  assert.throws(() => createUfs(config({ 'fs.s3.pathStyleAccess': 'yes' })), (e: ValidationError) => e.field === 'fs.s3.pathStyleAccess');
  assert.throws(() => createUfs({ url: config().url, options: { 'fs.s3.endpoint': s3.endpoint, 'fs.s3.accessKeyId': 'x' } }),
    (e: ValidationError) => e.field === 'fs.s3.accessKeySecret' && !e.message.includes('x\''));
  assert.throws(() => createUfs(config({ 'fs.s3.endpoint': 'ftp://host' })), (e: ValidationError) => e.field === 'fs.s3.endpoint');
  assert.throws(() => createUfs({ url: 's3://Bad_Bucket/x', options: {} }), (e: ValidationError) => e.field === 'url');
});

test('a server restart mid-session is survived: the pool reconnects', async () => {
  const ufs = new S3Ufs(config());
  try {
    await s3.client.putObject(bucket, `${MOUNT_PREFIX}restart/a.txt`, Buffer.from('hello'), 5);
    assert.equal((await readAll(await ufs.read('restart/a.txt'))).toString(), 'hello');
    await s3.restart();
    assert.equal((await readAll(await ufs.read('restart/a.txt'))).toString(), 'hello');
  } finally {
    await ufs.close();
  }
});

test('an endpoint that accepts but never answers fails with TimeoutError within the request timeout', async () => {
  const sockets: Socket[] = [];
  const srv = createServer((s) => { sockets.push(s); });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  const ufs = new S3Ufs(config({ 'fs.s3.endpoint': `http://127.0.0.1:${port}` }), { requestTimeoutMs: 300 });
  try {
    const started = Date.now();
    await assert.rejects(ufs.stat('x'), TimeoutError);
    await assert.rejects(ufs.read('x'), TimeoutError);
    assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
  } finally {
    await ufs.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  }
});

test('a caller\'s signal reaches the request in flight: stat and read waiting on a silent endpoint end at the abort', async () => {
  // The signal travels on each request's options (no AsyncLocalStorage): two calls at once must
  // each be stopped by their own signal, not by the other's or by the request timeout.
  const sockets: Socket[] = [];
  const srv = createServer((s) => { sockets.push(s); });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  const ufs = new S3Ufs(config({ 'fs.s3.endpoint': `http://127.0.0.1:${port}` }), { requestTimeoutMs: 60_000 });
  try {
    const first = new AbortController();
    const second = new AbortController();
    const stat = ufs.stat('x', { signal: first.signal });
    const read = ufs.read('x', { signal: second.signal });
    let readSettled = false;
    read.then(() => { readSettled = true; }, () => { readSettled = true; });
    setTimeout(() => first.abort(), 100);
    await assert.rejects(stat, AbortedError);
    assert.equal(readSettled, false, 'the read was stopped by the stat\'s signal');
    second.abort();
    await assert.rejects(read, AbortedError);
  } finally {
    await ufs.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  }
});

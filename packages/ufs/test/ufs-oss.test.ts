// Runs the UFS conformance suite against the OSS emulator (a fake; see oss-emulator.ts) and
// checks the OSS-specific parts: signature rejection, retry policy, option validation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { freePort } from '@eddy/testkit';
import { OssUfs } from '../src/oss-ufs.js';
import { createUfs } from '../src/create-ufs.js';
import { AccessDeniedError, NotFoundError, TimeoutError, UnavailableError, ValidationError } from '@eddy/core';
import type { UfsMountConfig } from '../src/under-file-system.js';
import { runUfsConformance, readAll } from './ufs-conformance.js';
import { OssEmulator } from './oss-emulator.js';

const BUCKET = 'eddy-oss-test';
const VERSIONED_BUCKET = 'eddy-oss-versioned';
const MOUNT_PREFIX = 'mnt/data set/';
let emu: OssEmulator;

function config(overrides: Record<string, string> = {}, bucket = BUCKET): UfsMountConfig {
  return {
    url: `oss://${bucket}/${MOUNT_PREFIX}`,
    options: {
      'fs.oss.endpoint': emu.endpoint,
      'fs.oss.accessKeyId': emu.accessKeyId,
      'fs.oss.accessKeySecret': emu.accessKeySecret,
      ...overrides,
    },
  };
}

before(async () => {
  emu = await OssEmulator.start();
  emu.createBucket(BUCKET);
  emu.setVersioning(VERSIONED_BUCKET);
});
after(async () => { await emu?.close(); });

runUfsConformance('oss', async () => {
  const ufs = new OssUfs(config());
  return {
    ufs,
    async put(key, data) {
      // Distinct mtimes are not needed: the emulator's ETag is the content's MD5.
      emu.put(BUCKET, MOUNT_PREFIX + key, data);
    },
    wrongCredentials() {
      const secret = 'wrong-oss-secret-1a2b3c4d';
      return { ufs: new OssUfs(config({ 'fs.oss.accessKeySecret': secret })), secret };
    },
    async unreachable() {
      const port = await freePort();
      return new OssUfs(config({ 'fs.oss.endpoint': `http://127.0.0.1:${port}` }), { retryBaseDelayMs: 10 });
    },
    async close() { await ufs.close(); },
  };
});

runUfsConformance('oss, versioned bucket', async () => {
  const ufs = new OssUfs(config({}, VERSIONED_BUCKET));
  return {
    ufs,
    keepsVersions: true,
    async put(key, data) { emu.put(VERSIONED_BUCKET, MOUNT_PREFIX + key, data); },
    async close() { await ufs.close(); },
  };
});

test('an unknown access key id is AccessDeniedError (InvalidAccessKeyId)', async () => {
  const ufs = new OssUfs(config({ 'fs.oss.accessKeyId': 'nobody' }));
  try {
    await assert.rejects(ufs.stat('x'), (e: Error) => e instanceof AccessDeniedError && e.message.includes('InvalidAccessKeyId'));
    // A streamed GET's error body is not read by ali-oss, so only the status is known there.
    await assert.rejects(ufs.read('x'), (e: Error) => e instanceof AccessDeniedError && e.message.includes(ufs.description));
  } finally {
    await ufs.close();
  }
});

test('5xx answers are retried with backoff, 4xx answers are not', async () => {
  const ufs = new OssUfs(config(), { retryBaseDelayMs: 5, retryAttempts: 4 });
  try {
    emu.put(BUCKET, `${MOUNT_PREFIX}retry/a.txt`, 'payload');
    emu.requests.length = 0;
    emu.injectStatuses.push(503, 500);
    assert.equal((await readAll(await ufs.read('retry/a.txt'))).toString(), 'payload');
    assert.deepEqual(emu.requests.map((r) => r.status), [503, 500, 200]);

    emu.requests.length = 0;
    emu.injectStatuses.push(503, 503, 503, 503);
    await assert.rejects(ufs.stat('retry/a.txt'), UnavailableError);
    assert.equal(emu.requests.length, 4, 'gives up after retryAttempts');

    emu.requests.length = 0;
    await assert.rejects(ufs.read('retry/missing.txt'), NotFoundError);
    assert.equal(emu.requests.length, 1, 'a 404 is not retried');
  } finally {
    await ufs.close();
  }
});

test('listing pages through max-keys with continuation tokens', async () => {
  const ufs = new OssUfs(config());
  try {
    for (let i = 0; i < 2500; i++) emu.put(BUCKET, `${MOUNT_PREFIX}pages/${String(i).padStart(4, '0')}`, 'x');
    emu.requests.length = 0;
    let n = 0;
    for await (const _ of ufs.list('pages')) n++;
    assert.equal(n, 2500);
    const pages = emu.requests.filter((r) => !r.url.includes('versioning'));
    assert.equal(pages.length, 3, 'three pages of at most 1000 keys');
  } finally {
    await ufs.close();
  }
});

test('createUfs picks OssUfs and names a missing option', () => {
  const ufs = createUfs(config());
  assert.ok(ufs instanceof OssUfs);
  for (const field of ['fs.oss.endpoint', 'fs.oss.accessKeyId', 'fs.oss.accessKeySecret']) {
    const { [field]: _dropped, ...rest } = config().options;
    assert.throws(() => createUfs({ url: config().url, options: rest }), (e: ValidationError) => e.field === field && e.message.includes(field));
  }
  assert.throws(() => createUfs({ url: 'gs://bucket/x', options: {} }), (e: ValidationError) => e.field === 'url' && /s3:\/\/, oss:\/\/, file:\/\//.test(e.message));
  assert.throws(() => createUfs({ url: '', options: {} }), (e: ValidationError) => e.field === 'url');
});

test('read() resolves as soon as the response starts, before the body is complete', async () => {
  const ufs = new OssUfs(config());
  try {
    const data = Buffer.alloc(256 * 1024, 7);
    emu.put(BUCKET, `${MOUNT_PREFIX}stream/held.bin`, data);
    emu.holdBodies = true;
    const stream = await ufs.read('stream/held.bin', { offset: 0, length: data.length });
    const first = await new Promise<Buffer>((resolve) => stream.once('data', resolve));
    assert.equal(first.length, 1, 'only the first byte has been sent');
    stream.pause();
    emu.releaseBodies();
    const rest = await readAll(stream);
    assert.equal(first.length + rest.length, data.length);
  } finally {
    emu.releaseBodies();
    await ufs.close();
  }
});

test('an endpoint that accepts but never answers fails with TimeoutError within the request timeout', async () => {
  const sockets: Socket[] = [];
  const srv = createServer((s) => { sockets.push(s); });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  const ufs = new OssUfs(config({ 'fs.oss.endpoint': `http://127.0.0.1:${port}` }), { requestTimeoutMs: 300 });
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

test('a store that ignores Range still yields exactly the requested bytes', async () => {
  const ufs = new OssUfs(config());
  try {
    const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    emu.put(BUCKET, `${MOUNT_PREFIX}norange/x.bin`, data);
    emu.ignoreRanges = true;
    assert.deepEqual(await readAll(await ufs.read('norange/x.bin', { offset: 70_000, length: 100_000 })), data.subarray(70_000, 170_000));
    assert.deepEqual(await readAll(await ufs.read('norange/x.bin', { offset: 299_990 })), data.subarray(299_990));
    assert.deepEqual(await readAll(await ufs.read('norange/x.bin', { offset: 0, length: 3 })), data.subarray(0, 3));
  } finally {
    emu.ignoreRanges = false;
    await ufs.close();
  }
});

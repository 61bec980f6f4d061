// Runs the UFS conformance suite against the OSS emulator (a fake; see oss-emulator.ts) and
// checks the OSS-specific parts: signature rejection, retry policy, option validation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '@eddy/testkit';
import { OssUfs } from '../src/ufs/oss-ufs.js';
import { createUfs } from '../src/ufs/create-ufs.js';
import { AccessDeniedError, NotFoundError, UnavailableError, ValidationError } from '../src/errors.js';
import type { UfsMountConfig } from '../src/ufs/under-file-system.js';
import { runUfsConformance, readAll } from './ufs-conformance.js';
import { OssEmulator } from './oss-emulator.js';

const BUCKET = 'eddy-oss-test';
const MOUNT_PREFIX = 'mnt/data set/';
let emu: OssEmulator;

function config(overrides: Record<string, string> = {}): UfsMountConfig {
  return {
    url: `oss://${BUCKET}/${MOUNT_PREFIX}`,
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
    assert.equal(emu.requests.length, 3, 'three pages of at most 1000 keys');
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

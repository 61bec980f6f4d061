// A handle reads the version it opened to its end, through a real mount, while the object is
// overwritten and another process reads the new version in full. No workers: every byte comes from
// a versioned S3 bucket (versitygw), so the old version stays readable by its versionId and what is
// tested is the client: per-open page cache / direct_io, the reported size, the HoldVersions set.
// (test/update-while-open.test.ts runs the same story with real workers and an unversioned bucket.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '@eddy/core';
import { startS3Server, waitFor, type S3Endpoint } from '@eddy/testkit';
import { mountDataset, type MountHandle } from '../src/index.js';
import { startFakeMaster, type FakeMaster } from './fake-master.js';
import { forceUnmount, nodeScript, sh, sha256, sha256Of, holderScript } from './helpers.js';

const MiB = 1 << 20;
const HELD = MiB;
const TIMEOUT_S = 2;

const HOLDER = holderScript(HELD);

describe('a snapshot per open (versioned bucket, no workers)', () => {
  const root = mkdtempSync(join(tmpdir(), 'eddy-snapshot-'));
  const mnt = join(root, 'mnt');
  let s3: S3Endpoint;
  let bucket: string;
  let master: FakeMaster;
  let mount: MountHandle;
  let n = 0;

  before(async () => {
    s3 = await startS3Server({ versioning: true });
    bucket = await s3.createBucket('snap');
    master = await startFakeMaster({
      dataset: 'demo', url: `s3://${bucket}/`, blockSize: MiB,
      ufsOptions: {
        'fs.s3.endpoint': s3.endpoint, 'fs.s3.region': s3.region, 'fs.s3.pathStyleAccess': 'true',
        'fs.s3.accessKeyId': s3.accessKey, 'fs.s3.accessKeySecret': s3.secretKey,
      },
      fuseArgs: ['-okernel_cache', '-oro', ...['attr', 'entry', 'negative'].map((t) => `-o${t}_timeout=${TIMEOUT_S}`)],
    });
    mount = await mountDataset({
      masterAddress: master.address, dataset: 'demo', mountpoint: mnt, token: master.token, directUfs: true, logger: silentLogger(),
    });
  });

  after(async () => {
    await mount?.close();
    await forceUnmount(mnt);
    await master?.close();
    await s3?.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** A reads HELD bytes of `key` (v1) and holds; `key` becomes v2; B reads it all past the timeouts; A reads on. */
  async function acrossAnOverwrite(key: string, v1: Buffer, v2: Buffer): Promise<{ a: string; b: string; sizeWhileHeld: number }> {
    await s3.client.putObject(bucket, key, v1, v1.length);
    const flag = join(root, `flag-${++n}`);
    const go = join(root, `go-${n}`);
    const a = nodeScript(HOLDER, [join(mnt, key), flag, go], 120_000);
    await waitFor(() => existsSync(flag), { timeoutMs: 30_000, what: 'A holding its handle' });
    await s3.client.putObject(bucket, key, v2, v2.length);
    await sleep(TIMEOUT_S * 1000 + 1500);
    const b = await sha256Of(join(mnt, key));
    const sizeWhileHeld = Number((await sh('stat', ['-c', '%s', join(mnt, key)])).stdout.trim());
    writeFileSync(go, '');
    return { a: (await a).stdout.trim(), b, sizeWhileHeld };
  }

  test('same size: A reads v1 exactly, B reads v2; the mount holds v1 while A has it open, then nothing', async () => {
    const v1 = randomBytes(6 * MiB);
    const v2 = randomBytes(6 * MiB);
    const r = await acrossAnOverwrite('same.bin', v1, v2);
    assert.equal(r.b, sha256(v2), 'B, opened after the timeouts, reads the new version');
    assert.equal(r.a, `ok ${v1.length} ${sha256(v1)}`, 'A reads the version it opened, to its end');
    const nothingHeld = (): boolean => [...master.held.values()].every((files) => files.length === 0);
    await waitFor(nothingHeld, { timeoutMs: 10_000, what: 'no version held once all handles closed' });
  });

  test('the new version is smaller: A is not cut short at its size (stat shows A\'s version while A reads it)', async () => {
    const v1 = randomBytes(6 * MiB + 123);
    const v2 = randomBytes(2 * MiB + 7);
    const r = await acrossAnOverwrite('shrink.bin', v1, v2);
    assert.equal(r.b, sha256(v2));
    assert.equal(r.a, `ok ${v1.length} ${sha256(v1)}`);
    assert.equal(r.sizeWhileHeld, v1.length, 'while A reads v1 through the page cache, the kernel is told v1\'s size');
    await sleep(TIMEOUT_S * 1000 + 1500);
    assert.equal(Number((await sh('stat', ['-c', '%s', join(mnt, 'shrink.bin')])).stdout.trim()), v2.length, 'then the new size');
  });

  test('the new version is larger: each reader stops at its own version\'s end', async () => {
    const v1 = randomBytes(3 * MiB + 5);
    const v2 = randomBytes(7 * MiB + 9);
    const r = await acrossAnOverwrite('grow.bin', v1, v2);
    assert.equal(r.b, sha256(v2), 'B (direct_io) reads all of v2 though the kernel holds v1\'s size');
    assert.equal(r.a, `ok ${v1.length} ${sha256(v1)}`, 'A stops at v1\'s end, not v2\'s');
    assert.equal(r.sizeWhileHeld, v1.length);
  });

  test('HoldVersions carries the version a handle has open, and releases it at the last close', async () => {
    const key = 'held.bin';
    await s3.client.putObject(bucket, key, randomBytes(MiB), MiB);
    const flag = join(root, 'held-flag');
    const go = join(root, 'held-go');
    const a = nodeScript(HOLDER, [join(mnt, key), flag, go], 120_000);
    await waitFor(() => existsSync(flag), { timeoutMs: 30_000, what: 'A holding its handle' });
    const heldNow = (): string[] => [...master.held.values()].flat().filter((f) => f.startsWith(`/${key}@`));
    await waitFor(() => heldNow().length === 1, { timeoutMs: 10_000, what: 'A\'s version held' });
    writeFileSync(go, '');
    assert.match((await a).stdout, /^ok /);
    await waitFor(() => heldNow().length === 0, { timeoutMs: 10_000, what: 'released after A closed' });
  });
});

// Issue 13: a reader that opened a file before an update reads that version to the end. Real
// processes (S3 server, `eddy master`, one `eddy worker`, `eddy mount`), the seed's fuse args
// (`-okernel_cache`) with 2 s attribute and entry timeouts, 48 MiB objects in 16 MiB blocks fully
// cached by a Once DataLoad. Readers are child processes: process A opens and reads 8 MiB, holds
// the handle while the object is overwritten and a DataLoad with loadMetadata completes, and
// reads on to EOF; it must get exactly the old bytes. The bucket does not keep versions, so the
// old bytes exist only in the cache: they must stay there while A reads them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { onceDataLoadManifest } from '@eddy/testkit';
import { EddyCluster, MiB, eventually, faultManifests, readInChild, type ReadResult } from '@eddy/test-cluster';

const SIZE = 48 * MiB;
const BLOCK = 16 * MiB;
const BLOCKS = SIZE / BLOCK;
const HELD = 8 * MiB;
const FUSE_ARGS = ['-okernel_cache', '-oro', '-oattr_timeout=2', '-oentry_timeout=2', '-onegative_timeout=2'];

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** What a reader that held HELD bytes of `oldBytes` got: 'old', 'new', 'mixed' (old[0:HELD] + new[HELD:]), 'other' or the errno. */
function whatWasRead(r: ReadResult, oldBytes: Buffer, newBytes: Buffer): string {
  if (!r.ok) return r.error ?? 'error';
  if (r.sha256 === sha256(oldBytes)) return 'old';
  if (r.sha256 === sha256(newBytes)) return 'new';
  if (r.sha256 === sha256(Buffer.concat([oldBytes.subarray(0, HELD), newBytes.subarray(HELD)]))) return 'mixed';
  return `other (${r.bytes} bytes)`;
}

let cluster: EddyCluster | undefined;
let mnt = '';
let loads = 0;
after(async () => { await cluster?.close(); });

before(async () => {
  cluster = await EddyCluster.start('update-while-open');
  const c = cluster;
  await c.apply(faultManifests(c.bucket, c.s3, { blockSize: '16Mi', fuseArgs: FUSE_ARGS }));
  await c.startWorker({ id: 'w1' });
  mnt = join(c.root, 'mnt');
  await c.mount(mnt);
});

/** Puts `data` at `key` and runs a Once DataLoad with loadMetadata to completion. */
async function putAndLoad(key: string, data: Buffer): Promise<void> {
  const c = cluster!;
  await c.s3.client.putObject(c.bucket, key, data, data.length);
  const name = `load-${++loads}`;
  await c.apply(onceDataLoadManifest(name, 'models', ['/'], { loadMetadata: true }));
  await c.waitDataLoad(name, 90_000);
}

/** Starts process A on `key`: it reads HELD bytes, then holds its handle until release() is called. */
async function holdingReader(key: string): Promise<{ release: () => Promise<ReadResult> }> {
  const c = cluster!;
  const flag = join(c.root, `${key}.held`);
  const go = join(c.root, `${key}.go`);
  const result = readInChild(join(mnt, key), { pauseAfter: HELD, flagFile: flag, goFile: go, timeoutMs: 120_000 });
  await eventually(`reader of ${key} to hold ${HELD} bytes`, 60_000, async () => (existsSync(flag) ? true : undefined), 20);
  return {
    release: async () => {
      writeFileSync(go, '');
      return await result;
    },
  };
}

async function workerUsage(): Promise<{ blocks: number; usedBytes: number }> {
  const res = await cluster!.rpc.listWorkers({ runtime: '' }, { timeoutMs: 5000 });
  const w = res.workers.find((x) => x.address?.workerId === 'w1');
  return { blocks: Number(w?.blockCount ?? 0), usedBytes: (w?.tiers ?? []).reduce((a, t) => a + Number(t.usedBytes), 0) };
}

/** Once the last handle of the old version is closed: the worker holds only `key`s current blocks, CACHED is its size. */
async function assertOldVersionFreed(otherBytes: number): Promise<void> {
  await eventually('the old version\'s blocks freed after the last close', 30_000, async () => {
    const u = await workerUsage();
    const ds = await cluster!.datasetStatus('models');
    return u.usedBytes === otherBytes + SIZE && ds?.cachedBytes === otherBytes + SIZE ? true : undefined;
  }, 250).catch(async (err: unknown) => {
    const cached = (await cluster!.datasetStatus('models'))?.cachedBytes;
    throw new Error(`${(err as Error).message}: worker ${JSON.stringify(await workerUsage())}, CACHED ${cached}`);
  });
}

// The reproduction of issue 13.
test('A holds a handle across an overwrite, a DataLoad and B\'s full read of the new version: A reads old bytes to EOF', {
  timeout: 240_000,
}, async () => {
  const c = cluster!;
  const oldBytes = randomBytes(SIZE);
  const newBytes = randomBytes(SIZE);
  await putAndLoad('model.bin', oldBytes);
  assert.equal((await c.datasetStatus('models'))?.cachedBytes, SIZE, 'the old version is fully cached');

  const a = await holdingReader('model.bin');
  await putAndLoad('model.bin', newBytes);
  await sleep(3000); // past the 2 s attribute and entry timeouts: a new open sees the new version
  const b = await readInChild(join(mnt, 'model.bin'));
  assert.ok(b.ok, `B: ${JSON.stringify(b)}`);
  assert.equal(b.sha256, sha256(newBytes), 'B, opened after the refresh, reads the new version');
  const held = await workerUsage();

  const r = await a.release();
  assert.equal(whatWasRead(r, oldBytes, newBytes), 'old', `A reads exactly the version it opened: ${JSON.stringify(r)}`);
  assert.equal(r.bytes, SIZE);
  assert.equal(held.blocks, 2 * BLOCKS, `while A was open the worker held both versions: ${JSON.stringify(held)}`);
  await assertOldVersionFreed(0);
});

test('across an overwrite and a DataLoad a reader reads old bytes to EOF, new opens see new bytes, old blocks go after close', {
  timeout: 240_000,
}, async () => {
  const oldBytes = randomBytes(SIZE);
  const newBytes = randomBytes(SIZE);
  await putAndLoad('weights.bin', oldBytes);
  const a = await holdingReader('weights.bin');
  await putAndLoad('weights.bin', newBytes);
  await sleep(3000);
  // Two opens of the new version while A is open (no full read in between), then one more after.
  const [b1, b2] = await Promise.all([readInChild(join(mnt, 'weights.bin')), readInChild(join(mnt, 'weights.bin'))]);
  assert.equal(b1.sha256, sha256(newBytes), `new open while A holds the old version: ${JSON.stringify(b1)}`);
  assert.equal(b2.sha256, sha256(newBytes), `second new open: ${JSON.stringify(b2)}`);
  const r = await a.release();
  assert.equal(whatWasRead(r, oldBytes, newBytes), 'old', `A reads exactly the version it opened: ${JSON.stringify(r)}`);
  const again = await readInChild(join(mnt, 'weights.bin'));
  assert.equal(again.sha256, sha256(newBytes), 'an open after A closed reads the new version');
  await assertOldVersionFreed(SIZE);
});

test('old blocks gone from every worker and no versions in the bucket: A gets EIO, never other bytes', { timeout: 240_000 }, async () => {
  const c = cluster!;
  const oldBytes = randomBytes(SIZE);
  const newBytes = randomBytes(SIZE);
  await putAndLoad('lost.bin', oldBytes);
  const a = await holdingReader('lost.bin');
  await putAndLoad('lost.bin', newBytes);
  // The worker restarts with an empty tier: the old version now exists nowhere.
  const w = c.workers.get('w1')!;
  w.proc.child.kill('SIGKILL');
  await w.proc.wait(10_000);
  await rm(c.defaultTierDir('w1'), { recursive: true, force: true });
  await c.startWorker({ id: 'w1' });
  const r = await a.release();
  // The client may still hold the old block files open (its short-circuit pins): then old bytes.
  assert.ok(['old', 'EIO'].includes(whatWasRead(r, oldBytes, newBytes)), `A: old bytes or EIO, got ${whatWasRead(r, oldBytes, newBytes)}`);
});

// Region chains: cluster B reads its Dataset through cluster A (`eddy://A/models`, with A's client
// credential scoped to `models`), A reads the bucket. Each is a real master + workers + FUSE mount (processes) on loopback; the bucket is a
// versitygw whose access log says what was fetched from it (one ranged GET per 1 MiB block: an
// object fetched once is one GET per block). Checked: B's mount reads the exact bytes; every
// object's bytes leave the bucket once across both regions (B's two workers load every block at
// once, A reads each through once); an update with cascading DataLoads (B's
// before A's) reaches both regions, still fetched once; with A down, B's cached reads go on, the
// rest fail with EIO (no fallback) or come from the bucket (fallback configured).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { s3DatasetManifests, onceDataLoadManifest } from '@eddy/testkit';
import { EddyCluster, KiB, MiB, dropPageCache, eventually, readInChild, runEddy } from '@eddy/test-cluster';
import { bucketGetsByKey } from './helpers/s3-access-log.js';

const FUSE_ARGS = ['-oro', '-oattr_timeout=1', '-oentry_timeout=1', '-onegative_timeout=1'];
let a: EddyCluster;
let b: EddyCluster;
let accessLog: string;
let scratch: string;
let mntA: string;
let mntB: string;
let mntFb: string;
const objects = new Map<string, Buffer>([
  ['m/a.bin', randomBytes(3 * MiB + 5)],
  ['m/b.bin', randomBytes(MiB)],
  ['m/c.bin', randomBytes(700 * KiB)],
]);

const sha = (d: Buffer): string => createHash('sha256').update(d).digest('hex');

/**
 * Region B's manifests: the Dataset's one mount is A's dataset, read with A's client credential
 * scoped to that dataset; `fallback` adds the bucket behind it.
 */
function regionManifests(name: string, fallback: boolean): string {
  const s3 = a.s3;
  const fb = fallback
    ? `, fs.eddy.fallback: "s3://${a.bucket}/", fs.eddy.probeIntervalSeconds: "1", fs.s3.endpoint: "${s3.endpoint}", fs.s3.region: ${s3.region}, ` +
      'fs.s3.pathStyleAccess: "true"'
    : '';
  const fbSecrets = fallback
    ? `
        - {name: fs.s3.accessKeyId, valueFrom: {secretKeyRef: {name: bucket-${name}, key: id}}}
        - {name: fs.s3.accessKeySecret, valueFrom: {secretKeyRef: {name: bucket-${name}, key: secret}}}`
    : '';
  return `apiVersion: v1
kind: Secret
metadata: {name: upstream-${name}}
stringData: {token: ${JSON.stringify(a.credentials.scopedClient.token)}}
---
apiVersion: v1
kind: Secret
metadata: {name: bucket-${name}}
stringData: {id: ${JSON.stringify(s3.accessKey)}, secret: ${JSON.stringify(s3.secretKey)}}
---
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: ${name}}
spec:
  mounts:
    - mountPoint: eddy://${a.masterAddress}/models
      options: {fs.eddy.timeoutSeconds: "3"${fb}}
      encryptOptions:
        - {name: fs.eddy.token, valueFrom: {secretKeyRef: {name: upstream-${name}, key: token}}}${fbSecrets}
  accessModes: [ReadOnlyMany]
---
apiVersion: data.fluid.io/v1alpha1
kind: JindoRuntime
metadata: {name: ${name}}
spec:
  replicas: 2
  blockSize: 1Mi
  tieredstore:
    levels:
      - {mediumtype: MEM, path: /dev/shm, quota: 256Mi, high: "0.99", low: "0.8"}
  fuse:
    args: [${FUSE_ARGS.map((x) => JSON.stringify(x)).join(', ')}]
`;
}

async function bucketGets(): Promise<Map<string, number>> {
  return await bucketGetsByKey(accessLog, a.bucket);
}

/** GETs of an object fetched from the bucket exactly once: one per 1 MiB block. */
const blocksOf = (size: number): number => Math.ceil(size / MiB);

async function readSha(file: string): Promise<string | undefined> {
  const r = await readInChild(file, { timeoutMs: 90_000 });
  assert.ok(r.ok, `read ${file}: ${r.error}`);
  return r.sha256;
}

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'eddy-region-'));
  accessLog = join(scratch, 's3-access.log');
  a = await EddyCluster.start('region-a', { s3AccessLog: accessLog, startTimeoutMs: 120_000 });
  await a.apply(s3DatasetManifests(a.bucket, a.s3, { blockSize: '1Mi', fuseArgs: FUSE_ARGS }));
  await a.startWorker({ id: 'a1' });
  await a.putObjects(objects);
  b = await EddyCluster.start('region-b', { startTimeoutMs: 120_000 });
  await b.apply(regionManifests('models', false));
  await b.startWorker({ id: 'b1' });
  await b.startWorker({ id: 'b2' });
  await b.apply(regionManifests('models-fb', true));
  await b.startWorker({ id: 'fb1' }, 'models-fb');
  mntA = join(a.root, 'mnt');
  mntB = join(b.root, 'mnt');
  mntFb = join(b.root, 'mnt-fb');
  for (const d of [mntA, mntB, mntFb]) await mkdir(d, { recursive: true });
});

after(async () => {
  await b?.close();
  await a?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test("B's DataLoad (two replicas: both B workers ask A for every block) and B's mount read A's bytes; the bucket sends each object once", async () => {
  await b.apply(onceDataLoadManifest('warm', 'models', ['/m/a.bin', '/m/b.bin'], { replicas: 2, loadMetadata: true }));
  await b.waitDataLoad('warm', 120_000);
  await b.mount(mntB);
  await a.mount(mntA);
  await dropPageCache();
  for (const key of ['m/a.bin', 'm/b.bin']) {
    const want = sha(objects.get(key)!);
    assert.equal(await readSha(join(mntB, key)), want, `B reads ${key}`);
    assert.equal(await readSha(join(mntA, key)), want, `A reads ${key}`);
  }
  const gets = await eventually('the access log to show both objects', 10_000, async () => {
    const m = await bucketGets();
    return m.has('m/a.bin') && m.has('m/b.bin') ? m : undefined;
  });
  assert.equal(gets.get('m/a.bin'), blocksOf(objects.get('m/a.bin')!.length), 'a.bin left the bucket once');
  assert.equal(gets.get('m/b.bin'), blocksOf(objects.get('m/b.bin')!.length), 'b.bin left the bucket once');
  assert.equal(gets.get('m/c.bin'), undefined, 'nobody read c.bin');
});

test("an update and cascading Once DataLoads (B's first) give the new bytes in both regions, fetched from the bucket once", async () => {
  const next = randomBytes(2 * MiB + 3);
  await a.s3.client.putObject(a.bucket, 'm/a.bin', next, next.length);
  const before = (await bucketGets()).get('m/a.bin') ?? 0;
  // B's metadata sync has A list the bucket, so B sees the new version before A's own DataLoad.
  await b.apply(onceDataLoadManifest('update-b', 'models', ['/m/a.bin'], { loadMetadata: true }));
  await b.waitDataLoad('update-b', 120_000);
  await a.apply(onceDataLoadManifest('update-a', 'models', ['/m/a.bin'], { loadMetadata: true }));
  const statusA = await a.waitDataLoad('update-a', 120_000);
  assert.equal(Number(statusA.progress?.bytesFetched ?? 0), 0, "A's DataLoad found every block already read through for B");
  await new Promise((r) => setTimeout(r, 1500)); // the mounts' 1 s attribute timeout
  await dropPageCache();
  assert.equal(await readSha(join(mntB, 'm/a.bin')), sha(next), 'B serves the new bytes');
  assert.equal(await readSha(join(mntA, 'm/a.bin')), sha(next), 'A serves the new bytes');
  const after = await eventually('the access log to show the new version', 10_000, async () => {
    const n = (await bucketGets()).get('m/a.bin') ?? 0;
    return n > before ? n : undefined;
  });
  assert.equal(after - before, blocksOf(next.length), 'the new version left the bucket once');
});

test('with A down, B serves what it cached, fails the rest with EIO, and the fallback serves it when configured', async () => {
  await b.mount(mntFb, [], [], 'models-fb');
  // models-fb has listed through A; its own cache is empty.
  await a.master.stop('SIGKILL');
  for (const w of a.workers.values()) await w.proc.stop('SIGKILL');
  await dropPageCache();
  assert.equal(await readSha(join(mntB, 'm/b.bin')), sha(objects.get('m/b.bin')!), "B's cached block reads go on");
  const r = await readInChild(join(mntB, 'm/c.bin'), { timeoutMs: 90_000 });
  assert.equal(r.ok, false, 'an uncached object cannot be read without A');
  assert.equal(r.error, 'EIO');
  assert.equal(await readSha(join(mntFb, 'm/c.bin')), sha(objects.get('m/c.bin')!), 'the fallback (the bucket) serves it');
  // A listing while A is down comes from the fallback too, and says so.
  await b.refresh('models-fb');
  const wide = await runEddy(['get', 'dataset', '-o', 'wide'], { env: { ...process.env, ...b.env } });
  assert.equal(wide.code, 0, wide.stderr);
  const [header, ...rows] = wide.stdout.trim().split('\n');
  const col = header!.split(/\s{2,}/).indexOf('SOURCE');
  const source = (name: string): string | undefined => rows.map((r) => r.split(/\s{2,}/)).find((c) => c[0] === name)?.[col];
  assert.equal(source('models-fb'), 'fallback');
  assert.equal(source('models'), 'upstream');
});

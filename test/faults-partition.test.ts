// Fault: a worker cut off from the network. Worker w1 runs in its own network namespace joined to
// this one by a veth pair (10.201.0.1/30 here ↔ 10.201.0.2/30 there; both ends exist only on this
// machine and are removed afterwards); the master and the S3 server listen on 10.201.0.1. Taking
// the link down cuts w1 off: reads through the mount keep returning the right bytes (from w2 or
// the bucket), the master marks w1 lost, and when the link comes back w1 rejoins with its blocks.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CleanupStack, eventually, EddyCluster, MiB, faultManifests, onceDataLoad, readInChild, dropPageCache } from '@eddy/test-cluster';

const net = new CleanupStack();
let cluster: EddyCluster | undefined;
after(async () => {
  try { await cluster?.close(); } finally { await net.run(); }
});

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
/** A liveness bound for reads while a worker is unreachable, not a speed target. */
const READ_BOUND_MS = 60_000;

test('a worker cut off from the network: reads go elsewhere, it is marked lost, and it rejoins', { timeout: 170_000 }, async () => {
  const tag = String(process.pid % 100_000);
  const ns = `eddy-fault-${tag}`;
  const hostIf = `efp${tag}a`;
  const nsIf = `efp${tag}b`;
  const HOST = '10.201.0.1';
  const PEER = '10.201.0.2';
  ip('netns', 'add', ns);
  net.add('netns', () => ip('netns', 'del', ns));
  ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
  net.add('veth', () => { try { ip('link', 'del', hostIf); } catch { /* gone with the namespace */ } });
  ip('link', 'set', nsIf, 'netns', ns);
  ip('addr', 'add', `${HOST}/30`, 'dev', hostIf);
  ip('link', 'set', hostIf, 'up');
  ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${PEER}/30`, 'dev', nsIf);
  ip('netns', 'exec', ns, 'ip', 'link', 'set', nsIf, 'up');
  ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');

  cluster = await EddyCluster.start('fault-partition', { s3Host: HOST, masterHost: HOST });
  const c = cluster;
  const objects = new Map<string, Buffer>();
  for (let i = 0; i < 8; i++) objects.set(`p/f${i}.bin`, randomBytes(4 * MiB + i * 511));
  await c.putObjects(objects);
  await c.apply(faultManifests(c.bucket, c.s3, { replicas: 2, blockSize: '1Mi' }));
  await c.refresh();
  await c.startWorker({ id: 'w1', host: PEER, prefix: ['ip', 'netns', 'exec', ns] });
  await c.startWorker({ id: 'w2' });
  await c.apply(onceDataLoad('warm', 'models', ['/'], 1));
  await c.waitDataLoad('warm', 90_000);
  const w1Before = await c.workerStatus('w1');
  assert.ok(w1Before && w1Before.blockCount > 0, `w1 holds blocks: ${JSON.stringify(w1Before)}`);

  const mnt = join(c.root, 'mnt');
  await c.mount(mnt);
  const readAll = async (what: string): Promise<number> => {
    await dropPageCache();
    const results = await Promise.all([...objects.keys()].map((k) => readInChild(join(mnt, k), { timeoutMs: READ_BOUND_MS + 30_000 })));
    results.forEach((r, i) => {
      const key = [...objects.keys()][i]!;
      assert.ok(r.ok, `${what}: ${key}: ${JSON.stringify(r)}`);
      assert.equal(r.sha256, sha256(objects.get(key)!), `${what}: ${key}`);
      assert.ok(r.ms < READ_BOUND_MS, `${what}: ${key} took ${r.ms} ms`);
    });
    return Math.max(...results.map((r) => r.ms));
  };
  await readAll('before the cut');

  // Cut: the link goes down; w1 keeps running, unreachable.
  ip('link', 'set', hostIf, 'down');
  const duringMs = await readAll('right after the cut');
  await c.waitWorkerLive('w1', false, 20_000);
  assert.ok(c.workers.get('w1')!.proc.running, 'w1 is alive, only unreachable');
  const lostMs = await readAll('with w1 lost');

  // Reconnect: w1 re-registers with its full block report.
  ip('link', 'set', hostIf, 'up');
  await c.waitWorkerLive('w1', true, 30_000);
  await eventually('w1 reports its blocks again', 20_000, async () => {
    const s = await c.workerStatus('w1');
    return s && s.live && s.blockCount >= w1Before.blockCount ? s : undefined;
  }, 200);
  await readAll('after w1 rejoined');
  console.log(`# reads right after the cut took up to ${duringMs} ms, with w1 lost up to ${lostMs} ms`);
});

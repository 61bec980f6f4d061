// Hit ratios end to end: a real Prometheus scrapes a real cluster (master, worker and mount, each
// its own process; the worker on the mount's host). A file is read cold, then warm with the page
// cache dropped: PromQL gives the warm read a local hit ratio of at least 0.99 (short-circuit reads
// count), the bucket bytes equal the file size, once; `eddy get dataset -o wide` and `-o json`
// agree with Prometheus; no /metrics output or status snapshot holds a secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { formatPercent } from '@eddy/core';
import { dropPageCache, eventually, faultManifests, MiB, readInChild, runEddy } from '@eddy/test-cluster';
import { TEST_ACCESS_KEY, TEST_SECRET_KEY } from '@eddy/testkit';
import { startObservedCluster, total } from './helpers/observed-cluster.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const FILE = 'models/base/weights.bin';
const SIZE = 20 * MiB + 12_345;
const READ_BYTES = 'eddy_master_read_bytes_total';

test('a cold then a warm read, as Prometheus, eddy get and the status page see them', { timeout: 280_000 }, async (t) => {
  const data = randomBytes(SIZE);
  const o = await startObservedCluster('obs-hit-ratio', async (cluster) => {
    await cluster.putObjects(new Map([[FILE, data]]));
    return faultManifests(cluster.bucket, cluster.s3, { blockSize: '4Mi' });
  });
  t.after(() => o.close());
  const { c, prom, mnt, ports } = o;

  // Cold: every byte comes from the bucket (the local worker FETCHes each block for the reader).
  const cold = await readInChild(join(mnt, FILE));
  assert.equal(cold.sha256, sha256(data));
  await eventually('the mount to report the cold read', 30_000, async () =>
    ((await c.datasetStatus('models'))?.bytesReadUfs === SIZE ? true : undefined), 300);
  await o.scraped();
  assert.equal(await total(prom, `${READ_BYTES}{dataset="models",source="ufs"}`), SIZE, 'the cold read: the file size from the bucket');
  assert.equal(await total(prom, 'eddy_worker_ufs_read_bytes_total{dataset="models"}'), SIZE, 'the worker read it from the bucket');
  assert.equal(await total(prom, `${READ_BYTES}{dataset="models",source=~"local|remote"}`), 0);
  assert.equal(await total(prom, 'eddy_client_read_bytes_total{job="eddy-mount",source="ufs"}'), SIZE, 'the mount agrees');
  const tCold = Date.now() / 1000;

  // Warm, page cache dropped: the same bytes from the worker's block files.
  await dropPageCache();
  const warm = await readInChild(join(mnt, FILE));
  assert.equal(warm.sha256, sha256(data));
  await eventually('the mount to report the warm read', 30_000, async () => {
    const s = await c.datasetStatus('models');
    return s && s.bytesReadLocal + s.bytesReadRemote >= SIZE ? true : undefined;
  }, 300);
  await o.scraped();
  const warmHits = `(sum(${READ_BYTES}{dataset="models",source=~"local|remote"}) - (sum(${READ_BYTES}{dataset="models",source=~"local|remote"} @ ${tCold}) or vector(0)))`;
  const warmAll = `(sum(${READ_BYTES}{dataset="models"}) - sum(${READ_BYTES}{dataset="models"} @ ${tCold}))`;
  const warmRatio = await prom.scalar(`${warmHits} / ${warmAll}`);
  assert.ok(warmRatio !== undefined && warmRatio >= 0.99, `warm-read hit ratio from PromQL: ${warmRatio}`);
  const warmLocal = await prom.scalar(`sum(${READ_BYTES}{dataset="models",source="local"}) / ${warmAll}`);
  assert.ok(warmLocal !== undefined && warmLocal >= 0.99, `short-circuit reads are hits: local ratio ${warmLocal}`);
  assert.equal(await total(prom, `${READ_BYTES}{dataset="models",source="ufs"}`), SIZE, 'bucket bytes: the file size, exactly once');
  assert.equal(await total(prom, 'eddy_client_read_bytes_total{job="eddy-mount",source="ufs"}'), SIZE);
  assert.equal(await total(prom, 'eddy_worker_ufs_read_bytes_total{dataset="models"}'), SIZE, 'the bucket was read once');
  assert.ok(await total(prom, 'eddy_fuse_operation_duration_seconds_count{job="eddy-mount",op="read"}') > 0, 'FUSE reads are timed');
  assert.ok(await total(prom, 'eddy_worker_tier_used_bytes{dataset="models",medium="MEM"}') >= SIZE, 'the MEM tier holds the file');
  // Each block fetched from the bucket once: whole blocks FETCHed for the local reader, the 12 KiB
  // tail (under fetchLocalMinBytes) read through while streamed.
  assert.equal(await total(prom, 'eddy_worker_block_fetches_total{dataset="models",result="ok"}'), Math.ceil(SIZE / (4 * MiB)));

  // `eddy get dataset -o wide` and `-o json` agree with Prometheus.
  const bySource = Object.fromEntries(await Promise.all(['local', 'remote', 'ufs'].map(async (s) =>
    [s, await total(prom, `${READ_BYTES}{dataset="models",source="${s}"}`)] as const)));
  const json = await runEddy(['get', 'dataset', 'models', '-o', 'json'], { env: c.env });
  assert.equal(json.code, 0, json.stderr);
  const cs = (JSON.parse(json.stdout) as { status: { cacheStates: Record<string, number> } }).status.cacheStates;
  assert.deepEqual([cs['bytesReadLocal'], cs['bytesReadRemote'], cs['bytesReadUfs']], [bySource['local'], bySource['remote'], bySource['ufs']]);
  const promRatio = await prom.scalar(`sum(${READ_BYTES}{dataset="models",source=~"local|remote"}) / sum(${READ_BYTES}{dataset="models"})`);
  assert.ok(promRatio !== undefined);
  assert.ok(Math.abs(promRatio - 0.5) < 0.01, `one cold and one warm read of the same file: ${promRatio}`);
  const wide = await runEddy(['get', 'dataset', 'models', '-o', 'wide'], { env: c.env });
  assert.equal(wide.code, 0, wide.stderr);
  const [header, row] = wide.stdout.trim().split('\n');
  const col = header!.split(/\s{2,}/).indexOf('CACHE HIT RATIO');
  assert.ok(col >= 0, header);
  assert.equal(row!.split(/\s{2,}/)[col], formatPercent(promRatio, 1), wide.stdout);
  assert.ok(Math.abs(cs['cacheHitRatio']! - promRatio) < 1e-9, `status ${cs['cacheHitRatio']} vs PromQL ${promRatio}`);

  // No secret in any metrics output or in the status page's data.
  const outputs = await Promise.all([
    fetch(`http://127.0.0.1:${ports.master}/metrics`), fetch(`http://127.0.0.1:${ports.mount}/metrics`),
    fetch(`http://127.0.0.1:${ports.worker}/metrics`),
    fetch(`http://127.0.0.1:${ports.page}/api/status`),
  ].map(async (r) => await (await r).text()));
  for (const text of outputs) {
    for (const secret of [TEST_SECRET_KEY, TEST_ACCESS_KEY, c.token]) assert.ok(!text.includes(secret), 'a secret leaked');
    assert.ok(!text.includes(c.bucket), 'bucket names are no label either');
  }
});

// Observability end to end: a real Prometheus scrapes a real cluster (master, worker and mount, each
// its own process) and headless Chromium watches the master's status page.
//   - A file read cold, then warm (page cache dropped): PromQL gives the warm read a local hit
//     ratio of at least 0.99 (short-circuit reads count), and the bucket bytes equal the file size,
//     once; `eddy get dataset -o wide` and `-o json` agree with Prometheus.
//   - No /metrics output or status snapshot holds a secret.
//   - A DataLoad of 10,000 files runs while the status page is open, and the page follows it;
//     reading those 10,000 files keeps each process's series under the stated bound.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { formatPercent } from '@eddy/core';
import { seriesBound } from '@eddy/metrics';
import {
  dropPageCache, EddyCluster, eventually, faultManifests, MiB, onceDataLoad, readInChild, runEddy,
} from '@eddy/test-cluster';
import { freePort, launchChromium, startPrometheus, TEST_ACCESS_KEY, TEST_SECRET_KEY, type PrometheusServer } from '@eddy/testkit';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => { for (const c of cleanups.reverse()) await c().catch(() => undefined); });

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const FILE = 'models/base/weights.bin';
const SIZE = 20 * MiB + 12_345;
const MANY = 10_000;
const READ_BYTES = 'eddy_master_read_bytes_total';

/** Reads every file under `dir` in a child process (FUSE reads never run in the test process); the count read. */
async function readTree(dir: string): Promise<number> {
  const script = `const fs = require('node:fs'); const path = require('node:path'); let n = 0;
    const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else { fs.readFileSync(p); n++; } } };
    walk(process.argv[1]); process.stdout.write(String(n));`;
  return await new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script, dir], { timeout: 600_000, maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err) reject(err); else resolve(Number(stdout));
    });
  });
}

/** Sum of a counter in Prometheus, 0 when it has no series yet. */
async function total(prom: PrometheusServer, selector: string, time?: number): Promise<number> {
  return (await prom.scalar(`sum(${selector}) or vector(0)`, time)) ?? 0;
}

test('Prometheus and the status page see what a real cluster does', { timeout: 900_000 }, async () => {
  const ports = { master: await freePort(), page: await freePort(), mount: await freePort() };
  const c = await EddyCluster.start('observability', {
    // A 10-minute hit-ratio window covers the whole test, so the status ratio is comparable with Prometheus' all-time one.
    masterArgs: ['--metrics-listen', `127.0.0.1:${ports.master}`, '--http-listen', `127.0.0.1:${ports.page}`, '--hit-ratio-window', '600000'],
  });
  cleanups.push(() => c.close());
  const data = randomBytes(SIZE);
  await c.putObjects(new Map([[FILE, data]]));
  await c.apply(faultManifests(c.bucket, c.s3, { blockSize: '4Mi' }));
  await c.refresh();
  // The worker shares the mount's host id: cached blocks are read from its files (short-circuit).
  await c.startWorker({ id: 'w1', hostId: 'client-host' });
  const mnt = join(c.root, 'mnt');
  await c.mount(mnt, [], ['--metrics-listen', `127.0.0.1:${ports.mount}`]);
  const prom = await startPrometheus([
    { job: 'eddy-master', address: `127.0.0.1:${ports.master}`, token: c.token },
    { job: 'eddy-mount', address: `127.0.0.1:${ports.mount}`, token: c.token },
  ]);
  cleanups.push(() => prom.close());

  // Cold: every byte comes from the bucket (the local worker FETCHes each block for the reader).
  const cold = await readInChild(join(mnt, FILE));
  assert.equal(cold.sha256, sha256(data));
  await eventually('the mount to report the cold read', 30_000, async () =>
    ((await c.datasetStatus('models'))?.bytesReadUfs === SIZE ? true : undefined), 300);
  await prom.waitForScrape('eddy-master');
  await prom.waitForScrape('eddy-mount');
  assert.equal(await total(prom, `${READ_BYTES}{dataset="models",source="ufs"}`), SIZE, 'the cold read: the file size from the bucket');
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
  await prom.waitForScrape('eddy-master');
  const warmHits = `(sum(${READ_BYTES}{dataset="models",source=~"local|remote"}) - (sum(${READ_BYTES}{dataset="models",source=~"local|remote"} @ ${tCold}) or vector(0)))`;
  const warmAll = `(sum(${READ_BYTES}{dataset="models"}) - sum(${READ_BYTES}{dataset="models"} @ ${tCold}))`;
  const warmRatio = await prom.scalar(`${warmHits} / ${warmAll}`);
  assert.ok(warmRatio !== undefined && warmRatio >= 0.99, `warm-read hit ratio from PromQL: ${warmRatio}`);
  const warmLocal = await prom.scalar(`sum(${READ_BYTES}{dataset="models",source="local"}) / ${warmAll}`);
  assert.ok(warmLocal !== undefined && warmLocal >= 0.99, `short-circuit reads are hits: local ratio ${warmLocal}`);
  assert.equal(await total(prom, `${READ_BYTES}{dataset="models",source="ufs"}`), SIZE, 'bucket bytes: the file size, exactly once');
  assert.equal(await total(prom, 'eddy_client_read_bytes_total{job="eddy-mount",source="ufs"}'), SIZE);
  assert.ok(await total(prom, 'eddy_fuse_operation_duration_seconds_count{job="eddy-mount",op="read"}') > 0, 'FUSE reads are timed');

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
    fetch(`http://127.0.0.1:${ports.page}/api/status`),
  ].map(async (r) => await (await r).text()));
  for (const text of outputs) {
    for (const secret of [TEST_SECRET_KEY, TEST_ACCESS_KEY, c.token]) assert.ok(!text.includes(secret), 'a secret leaked');
    assert.ok(!text.includes(c.bucket), 'bucket names are no label either');
  }

  // 10,000 files: a DataLoad while the status page is open, then a read of every one.
  const objects = new Map<string, Buffer>();
  for (let i = 0; i < MANY; i++) objects.set(`many/d${i % 100}/f-${i}.txt`, Buffer.from(`file ${i} ${randomBytes(8).toString('hex')}\n`));
  const keys = [...objects.keys()];
  await Promise.all(Array.from({ length: 32 }, async (_, w) => {
    for (let i = w; i < keys.length; i += 32) await c.putObjects(new Map([[keys[i]!, objects.get(keys[i]!)!]]));
  }));
  await c.refresh();
  const browser = await launchChromium();
  cleanups.push(() => browser.close());
  // bypassCSP: the page's CSP forbids eval, which the test's page-side probes (given as text) need.
  const page = await (await browser.newContext({ viewport: { width: 1500, height: 760 }, bypassCSP: true })).newPage();
  await page.goto(`http://127.0.0.1:${ports.page}/`);
  await page.waitForSelector('#conn[data-state="live"]');
  // Page-side code is given as text: the e2e tests compile without the DOM's types.
  await page.waitForFunction(`document.querySelector('#datasets tbody td')?.textContent === 'models'`);
  // Every text the DataLoad's row shows, as the page re-renders it.
  await page.evaluate(`(() => {
    const seen = window.seen = [];
    new MutationObserver(() => {
      const row = [...document.querySelectorAll('#dataloads tbody tr')].find((tr) => tr.firstElementChild?.textContent === 'load-many');
      const text = row?.textContent ?? '';
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document.querySelector('#dataloads tbody'), { childList: true, subtree: true });
  })()`);
  await c.apply(onceDataLoad('load-many', 'models', ['/many']));
  await page.waitForFunction(`window.seen.some((t) => t.includes('Executing'))`, undefined, { timeout: 120_000 });
  // The picture in docs/ comes from here (EDDY_STATUS_SCREENSHOT=docs/status-page.png).
  await page.screenshot({ path: process.env['EDDY_STATUS_SCREENSHOT'] ?? join(c.root, 'status-page.png'), fullPage: true });
  await c.waitDataLoad('load-many', 600_000);
  await page.waitForFunction(`window.seen.some((t) => t.includes('Complete'))`, undefined, { timeout: 30_000 });
  const seen = await page.evaluate<string[]>('window.seen');
  const executing = seen.filter((t) => t.includes('Executing'));
  assert.ok(executing.length >= 1 && seen.at(-1)!.includes('Complete'), `the page followed the run: ${JSON.stringify(seen)}`);
  assert.ok(executing.some((t) => !t.includes('100.0%')), `a partial progress was shown: ${JSON.stringify(executing)}`);

  assert.equal(await readTree(join(mnt, 'many')), MANY);
  await prom.waitForScrape('eddy-mount');
  await prom.waitForScrape('eddy-master');
  const series = await prom.query('count by (job) ({__name__=~"eddy_.+"})');
  const byJob = Object.fromEntries(series.map((s) => [s.metric['job'], s.value]));
  assert.ok(byJob['eddy-mount']! <= seriesBound('client', 1), `mount: ${byJob['eddy-mount']} series`);
  assert.ok(byJob['eddy-master']! <= seriesBound('master', 1), `master: ${byJob['eddy-master']} series`);
  const labels = await fetch(`${prom.url}/api/v1/series?${new URLSearchParams({ 'match[]': '{__name__=~"eddy_.+"}' })}`);
  const all = (await labels.json() as { data: Array<Record<string, string>> }).data;
  assert.ok(all.length > 0);
  for (const s of all) for (const [k, v] of Object.entries(s)) assert.ok(k === 'instance' || !/[/:]/.test(v), `label ${k}=${v} looks like a path`);
  console.log(`# series after reading ${MANY} files: ${JSON.stringify(byJob)} (bounds: mount ${seriesBound('client', 1)}, master ${seriesBound('master', 1)})`);
});

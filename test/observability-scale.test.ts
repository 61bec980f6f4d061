// Observability at scale and in the browser: headless Chromium keeps the master's status page open
// while a DataLoad of 5,000 of 10,000 files runs, and the page follows it; then every one of the
// 10,000 files is read through the mount, and Prometheus shows each process's series under the
// stated bound (@eddy/metrics seriesBound), with no path in any label.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seriesBound } from '@eddy/metrics';
import { onceDataLoad } from '@eddy/test-cluster';
import { launchChromium } from '@eddy/testkit';
import { startObservedCluster } from './helpers/observed-cluster.js';

const MANY = 10_000;

/** Dataset and Runtime `models` over a local directory. */
function fileManifests(dir: string): string {
  return `apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: models}
spec:
  mounts:
    - mountPoint: file://${dir}
---
apiVersion: data.fluid.io/v1alpha1
kind: JindoRuntime
metadata: {name: models}
spec:
  blockSize: 4Mi
  tieredstore:
    levels:
      - {mediumtype: MEM, path: /dev/shm, quota: 256Mi}
  fuse:
    args: [-oro, -oattr_timeout=60, -oentry_timeout=60, -onegative_timeout=60]
`;
}

/** Reads every file under `dir` in a child process (FUSE reads never run in the test process); the count read. */
async function readTree(dir: string): Promise<number> {
  const script = `const fs = require('node:fs'); const path = require('node:path'); let n = 0;
    const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else { fs.readFileSync(p); n++; } } };
    walk(process.argv[1]); process.stdout.write(String(n));`;
  return await new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script, dir], { timeout: 240_000, maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err) reject(err); else resolve(Number(stdout));
    });
  });
}

const phase = (what: string, since: number): void => { console.log(`# ${what}: ${((Date.now() - since) / 1000).toFixed(1)} s`); };

test('the status page follows a running DataLoad; reading 10,000 files keeps the series under the bound', { timeout: 290_000 }, async (t) => {
  const t0 = Date.now();
  // A file:// dataset: 10,000 objects are written in a moment, where a PUT each would take minutes.
  const o = await startObservedCluster('obs-scale', async (cluster) => {
    const ufs = join(cluster.root, 'ufs');
    for (let d = 0; d < 100; d++) await mkdir(join(ufs, 'many', `d${d}`), { recursive: true });
    for (let i = 0; i < MANY; i++) await writeFile(join(ufs, 'many', `d${i % 100}`, `f-${i}.txt`), `file ${i} ${randomBytes(8).toString('hex')}\n`);
    return fileManifests(ufs);
  });
  t.after(() => o.close());
  const { c, prom, mnt, ports } = o;
  phase(`cluster up with ${MANY} files`, t0);
  const browser = await launchChromium();
  t.after(() => browser.close());
  // bypassCSP: the page's CSP forbids eval, which the test's page-side probes (given as text) need.
  const page = await (await browser.newContext({ viewport: { width: 1500, height: 760 }, bypassCSP: true })).newPage();
  await page.goto(`http://127.0.0.1:${ports.page}/`);
  await page.waitForSelector('#conn[data-state="live"]');
  // Page-side code is given as text: the e2e tests compile without the DOM's types.
  await page.waitForFunction('document.querySelector(\'#datasets tbody td\')?.textContent === \'models\'');
  // Every text the DataLoad's row shows, as the page re-renders it.
  await page.evaluate(`(() => {
    const seen = window.seen = [];
    new MutationObserver(() => {
      const row = [...document.querySelectorAll('#dataloads tbody tr')].find((tr) => tr.firstElementChild?.textContent === 'load-many');
      const text = row?.textContent ?? '';
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document.querySelector('#dataloads tbody'), { childList: true, subtree: true });
  })()`);
  // Half of them: long enough to watch, short enough for the test's time.
  await c.apply(onceDataLoad('load-many', 'models', Array.from({ length: 50 }, (_, d) => `/many/d${d}`)));
  await page.waitForFunction('window.seen.some((t) => t.includes(\'Executing\'))', undefined, { timeout: 120_000 });
  // The picture in docs/ comes from here (EDDY_STATUS_SCREENSHOT=docs/status-page.png), with the
  // progress bar part-way if the run lasts long enough to show it.
  await page.waitForFunction('window.seen.some((t) => /Executing.*[1-9][0-9]?\\.\\d%/.test(t) || t.includes(\'Complete\'))', undefined, { timeout: 120_000 });
  await page.screenshot({ path: process.env['EDDY_STATUS_SCREENSHOT'] ?? join(c.root, 'status-page.png'), fullPage: true });
  const tLoad = Date.now();
  await c.waitDataLoad('load-many', 150_000);
  phase(`DataLoad of ${MANY / 2} files`, tLoad);
  await page.waitForFunction('window.seen.some((t) => t.includes(\'Complete\'))', undefined, { timeout: 30_000 });
  const seen = await page.evaluate<string[]>('window.seen');
  const executing = seen.filter((t) => t.includes('Executing'));
  // The page changed while the run executed (its progress moved), and showed its end.
  assert.ok(executing.length >= 2 && seen.at(-1)!.includes('Complete'), `the page followed the run: ${JSON.stringify(seen)}`);

  await o.scraped();
  assert.equal(await prom.scalar('sum(eddy_dataload_runs_total{dataset="models",result="complete"})'), 1, 'the run is counted');
  assert.ok((await prom.scalar('eddy_dataload_last_success_timestamp_seconds{dataset="models"}') ?? 0) * 1000 > t0);
  assert.ok((await prom.scalar('sum(eddy_dataload_bytes_total{dataset="models"})') ?? 0) > 0, 'its bytes are counted');
  assert.equal(await prom.scalar('sum(eddy_worker_block_fetches_total{dataset="models",reason="load",result="ok"})'), MANY / 2);

  const tRead = Date.now();
  assert.equal(await readTree(join(mnt, 'many')), MANY);
  phase('reading the 10,000 files', tRead);
  await o.scraped();
  const series = await prom.query('count by (job) ({__name__=~"eddy_.+"})');
  const byJob = Object.fromEntries(series.map((s) => [s.metric['job'], s.value]));
  assert.ok(byJob['eddy-mount']! <= seriesBound('client', 1), `mount: ${byJob['eddy-mount']} series`);
  assert.ok(byJob['eddy-master']! <= seriesBound('master', 1), `master: ${byJob['eddy-master']} series`);
  assert.ok(byJob['eddy-worker']! <= seriesBound('worker', 1), `worker: ${byJob['eddy-worker']} series`);
  const labels = await fetch(`${prom.url}/api/v1/series?${new URLSearchParams({ 'match[]': '{__name__=~"eddy_.+"}' })}`);
  const all = (await labels.json() as { data: Array<Record<string, string>> }).data;
  assert.ok(all.length > 0);
  for (const s of all) for (const [k, v] of Object.entries(s)) assert.ok(k === 'instance' || !/[/:]/.test(v), `label ${k}=${v} looks like a path`);
  const bounds = { mount: seriesBound('client', 1), master: seriesBound('master', 1), worker: seriesBound('worker', 1) };
  console.log(`# eddy_ series after reading ${MANY} files: ${JSON.stringify(byJob)}; bounds ${JSON.stringify(bounds)}`);
});

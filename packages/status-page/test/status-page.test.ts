// The status page in a real browser (headless Chromium): it renders the master's snapshot, shows
// hostile names as text (never markup), and follows the snapshot live while a DataLoad runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@eddy/core';
import { HttpEndpoint } from '@eddy/metrics';
import { launchChromium } from '@eddy/testkit';
import { statusPageRoutes, type DataLoadRow, type StatusSnapshot } from '../src/index.js';

const HOSTILE = '<img src=x onerror="window.__pwned=1">';
const HOSTILE_LOAD = '</td><script>window.__pwned=2</script>';
const GiB = 1024 ** 3;

function snapshot(load: Partial<DataLoadRow>): StatusSnapshot {
  const now = Date.now();
  return {
    generatedAtMs: now,
    datasets: [
      { name: 'demo', phase: 'Bound', ufsTotalBytes: 4 * GiB, cachedBytes: GiB, cacheCapacityBytes: 8 * GiB, files: 12, liveWorkers: 2, desiredWorkers: 2,
        cacheHitRatio: 0.995, localHitRatio: 0.9, remoteHitRatio: 0.095, hitRatioWindowSeconds: 60, created: new Date(now - 3_600_000).toISOString() },
      { name: HOSTILE, phase: 'NotBound', ufsTotalBytes: 0, cachedBytes: 0, cacheCapacityBytes: 0, files: 0, liveWorkers: 0, desiredWorkers: 1,
        cacheHitRatio: null, localHitRatio: null, remoteHitRatio: null, hitRatioWindowSeconds: 60, created: null },
    ],
    workers: [
      { id: 'worker-0', runtime: 'demo', live: true, address: '127.0.0.1:29999', blocks: 64, lastHeartbeatMs: now - 300,
        tiers: [{ medium: 'MEM', usedBytes: GiB, quotaBytes: 2 * GiB }, { medium: 'SSD', usedBytes: 0, quotaBytes: 10 * GiB }] },
    ],
    dataloads: [
      { name: 'warmup', dataset: 'demo', phase: 'Executing', policy: 'Once', filesDone: 3, filesTotal: 12, bytesDone: GiB, bytesTotal: 4 * GiB,
        runStartMs: now - 10_000, runEndMs: null, lastSuccessfulTime: null, ...load },
      { name: HOSTILE_LOAD, dataset: 'demo', phase: 'Failed', policy: 'Cron', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0,
        runStartMs: null, runEndMs: null, lastSuccessfulTime: null },
    ],
  };
}

test('headless Chromium renders the status page, escapes every value and follows a running DataLoad live', async (t) => {
  let current = snapshot({});
  const ep = await HttpEndpoint.start({
    listen: '127.0.0.1:0', token: '', logger: silentLogger(), routes: statusPageRoutes({ snapshot: () => current, intervalMs: 200 }),
  });
  t.after(() => ep.close());
  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1400, height: 700 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`http://${ep.address}/`);

  await page.waitForSelector('#conn[data-state="live"]');
  await page.waitForFunction(() => document.querySelectorAll('#datasets tbody tr').length === 2);
  const datasetCells = await page.$$eval('#datasets tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  assert.deepEqual(datasetCells[0]!.slice(0, 11), ['demo', '4.00GiB', '1.00GiB', '8.00GiB', '25.0%', 'Bound', '12', '2/2', '99.5%', '90.0%', '9.5%']);
  assert.equal(datasetCells[1]![0], HOSTILE, 'a hostile dataset name shows as text');
  assert.equal(await page.$$eval('#dataloads tbody td', (tds) => tds.some((td) => td.textContent === '</td><script>window.__pwned=2</script>')), true);
  assert.equal(await page.$$eval('main img, main script', (els) => els.length), 0, 'no markup came from a value');
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  assert.match(await page.textContent('#window-note') ?? '', /last 1m0s/);
  assert.match(await page.textContent('#workers tbody') ?? '', /MEM 1\.00GiB \/ 2\.00GiB/);

  // The DataLoad moves on: the page follows without a reload.
  const progress = (): Promise<number> => page.$eval('#dataloads tbody tr:first-child progress', (p) => (p as HTMLProgressElement).value);
  assert.equal(await progress(), GiB);
  const rateBefore = await page.textContent('#dataloads tbody tr:first-child td:nth-child(7)');
  assert.match(rateBefore ?? '', /MiB\/s$/);
  current = snapshot({ bytesDone: 3 * GiB, filesDone: 9 });
  await page.waitForFunction((v) => (document.querySelector('#dataloads tbody tr:first-child progress') as HTMLProgressElement | null)?.value === v, 3 * GiB);
  assert.match(await page.textContent('#dataloads tbody tr:first-child') ?? '', /75\.0%.*9 \/ 12/);
  current = snapshot({ phase: 'Complete', bytesDone: 4 * GiB, filesDone: 12, runEndMs: Date.now(), lastSuccessfulTime: new Date().toISOString() });
  await page.waitForFunction(() => document.querySelector('#dataloads tbody tr:first-child td:nth-child(3)')?.textContent === 'Complete');
  assert.equal(await page.textContent('#dataloads tbody tr:first-child td:nth-child(8)'), '-', 'no ETA once complete');

  const dir = await mkdtemp(join(tmpdir(), 'eddy-status-page-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // EDDY_STATUS_SCREENSHOT=path keeps the picture (how docs/ screenshots are made by hand).
  const shot = process.env['EDDY_STATUS_SCREENSHOT'] ?? join(dir, 'status.png');
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok((await stat(shot)).size > 10_000);
  assert.deepEqual(pageErrors, []);
});

test('without the stream the page polls /api/status', async (t) => {
  const routes = statusPageRoutes({ snapshot: () => snapshot({}), intervalMs: 200 }).filter((r) => r.path !== '/api/events');
  const ep = await HttpEndpoint.start({ listen: '127.0.0.1:0', token: '', logger: silentLogger(), routes });
  t.after(() => ep.close());
  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`http://${ep.address}/`);
  await page.waitForSelector('#conn[data-state="polling"]');
  await page.waitForFunction(() => document.querySelector('#datasets tbody td')?.textContent === 'demo');
});

test('the page and its API need the token on a listener that requires it', async (t) => {
  const token = 'status-token-42';
  const ep = await HttpEndpoint.start({
    listen: '127.0.0.1:0', token, alwaysRequireCredential: true, logger: silentLogger(), routes: statusPageRoutes({ snapshot: () => snapshot({}) }),
  });
  t.after(() => ep.close());
  for (const path of ['/', '/status.js', '/api/status', '/api/events']) assert.equal((await fetch(`http://${ep.address}${path}`)).status, 401, path);
  const browser = await launchChromium();
  t.after(() => browser.close());
  // A browser user types the token as the password of the Basic auth prompt.
  const context = await browser.newContext({ httpCredentials: { username: 'admin', password: token } });
  const page = await context.newPage();
  await page.goto(`http://${ep.address}/`);
  await page.waitForSelector('#conn[data-state="live"]');
  await page.waitForFunction(() => document.querySelector('#datasets tbody td')?.textContent === 'demo');
});

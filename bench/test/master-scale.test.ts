// The master-scale bench's plumbing: the simulated listing, derived figures, growth exponents,
// goals and the SVG chart. One tiny scale point runs for real (a master over the simulated
// bucket); no timing is asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simPath, simulatedUfs } from '../src/master-scale/simulated-ufs.js';
import { percentiles } from '../src/master-scale/percentiles.js';
import { derive, growthExponent } from '../src/master-scale/scale-report.js';
import { renderLineChart } from '../src/master-scale/line-chart.js';
import { computeMasterScaleGoals } from '../src/goals.js';
import type { ScalePoint } from '../src/master-scale/scale-child.js';

const here = dirname(fileURLToPath(import.meta.url));

test('simulated bucket: N objects, 1,000 per directory, and it cannot be read', async () => {
  const ufs = simulatedUfs(2500);
  const paths: string[] = [];
  for await (const e of ufs.list('', { recursive: true })) paths.push(e.path);
  assert.equal(paths.length, 2500);
  assert.equal(`/${paths[1999]}`, simPath(1999));
  assert.equal(simPath(1999), '/d00001/f0001999.bin');
  await assert.rejects(ufs.read('d00000/f0000000.bin'), /only lists/);
});

test('percentiles, growth exponents and goals', () => {
  assert.deepEqual(percentiles([5, 1, 2, 3, 4]), { n: 5, p50: 3, p99: 5, max: 5, mean: 3 });
  const pt = (files: number, heapPerBlock: number): ScalePoint => {
    const m = (heap: number) => ({ rss: heap, heap });
    const ms = { n: 1, p50: 0.1, p99: 0.5, max: 1, mean: 0.1 };
    return {
      files, blocks: files, workers: 100, heartbeatDeltaKeys: 100,
      memory: { idle: m(0), listed: m(300 * files), currentBlocks: m(400 * files), placed: m(400 * files + heapPerBlock * files) },
      cpuMs: { firstListing: files / 1000, currentBlockIndex: 1, refreshWithBlocks: 1, register: ms, heartbeatEmpty: ms, heartbeatDelta: ms,
        locationsInProcess: ms, listInProcess: ms },
      ms: { firstListing: 1, currentBlockIndex: 1, refreshWithBlocks: 1, register: ms, heartbeatEmpty: ms, heartbeatDelta: ms,
        locationsInProcess: ms, locationsGrpc: ms, listInProcess: ms, listGrpc: ms },
    };
  };
  const pts = [pt(10_000, 170), pt(1_000_000, 180)];
  const d = derive(pts[1]!);
  assert.equal(d.heapPerBlock, 180);
  assert.equal(d.heapPerFile, 400);
  assert.equal(d.heapPerFileListing, 300);
  assert.equal(growthExponent(pts, (p) => p.cpuMs.firstListing), 1);
  assert.equal(growthExponent([pts[0]!], (p) => p.files), null);
  const goals = computeMasterScaleGoals(pts.map((p) => ({ files: p.files, rssPerBlock: derive(p).rssPerBlock, heapPerBlock: derive(p).heapPerBlock,
    locationsCpuP99: 0.5, locationsWallP99: 3, locationsGrpcP99: 9 })), { a: 1.02, b: 0.4 });
  assert.deepEqual(goals.map((g) => g.met), [true, true, true]);
  assert.match(goals[0]!.measured, /180 B RSS, 180 B heap per block at 1,000,000 blocks/);
  const worse = computeMasterScaleGoals([{ files: 1e6, rssPerBlock: 400, heapPerBlock: 350, locationsCpuP99: 4, locationsWallP99: 9, locationsGrpcP99: 9 }],
    { a: 1.4 });
  assert.deepEqual(worse.map((g) => g.met), [false, false, false]);
  for (const g of [...goals, ...worse]) assert.match(g.why, /^(met|not met): /);
  const svg = renderLineChart({ title: 't', subtitle: 's', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', color: '#000', points: [[1e4, 1], [1e6, 2]] }],
    refs: [{ y: 3, label: 'goal' }] });
  assert.match(svg, /^<svg /);
  assert.equal((svg.match(/<circle /g) ?? []).length, 2);
});

test('one small scale point runs against a real master', { timeout: 240_000 }, async () => {
  const child = spawn(process.execPath, ['--expose-gc', join(here, '..', 'src', 'master-scale', 'scale-child.js'), '--files', '2000', '--workers', '4',
    '--samples', '20'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  assert.equal(code, 0);
  const p = JSON.parse(out) as ScalePoint;
  assert.equal(p.files, 2000);
  assert.equal(p.ms.locationsInProcess.n, 20);
  assert.ok(p.memory.placed.heap > 0);
});

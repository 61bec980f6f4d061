// The bench's own plumbing: option parsing, goal evaluation, report rendering, and the two helper
// processes it relies on (the FUSE-ceiling filesystem and the WAN delay proxy), run for real.
// No timing is asserted anywhere: the bench reports figures, tests check behaviour.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, connect, type AddressInfo } from 'node:net';
import { randomBytes, createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@eddy/testkit';
import { parseOptions, parseSize } from '../src/options.js';
import { computeGoals } from '../src/goals.js';
import { renderChart, renderMarkdown, renderWorkload } from '../src/report.js';
import { metric, recordPasses, speedup, type RunResults, type WorkloadResult } from '../src/results.js';
import { AnalysisMismatchError, analysisOf, composeResultsMd } from '../src/analysis.js';
import { parseCksum } from '../src/cksum.js';
import { CeilingTarget } from '../src/targets/ceiling-target.js';
import { buildSafetensors } from '../src/safetensors-file.js';
import { safetensorsLoad } from '../src/workloads/safetensors.js';
import { WrongBytesError } from '../src/read.js';
import { Daemon, isMounted } from '../src/exec.js';

const dirs: string[] = [];
after(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

test('options: --quick sizes, explicit sizes, unknown workload rejected', () => {
  const quick = parseOptions(['--quick']);
  assert.notEqual(quick, 'help');
  if (quick === 'help') return;
  assert.equal(quick.modelSize, 256 * 1024 ** 2);
  assert.equal(quick.smallFiles, 1000);
  assert.equal(quick.passes, 3);
  assert.equal(quick.peerCache, 'tmpfs');
  assert.ok(quick.workloads.includes('wan'));
  assert.ok(quick.targets.includes('eddy-ssd'));
  const disk = parseOptions(['--peer-cache', 'disk', '--passes', '5']);
  if (disk === 'help') throw new Error('unexpected help');
  assert.equal(disk.peerCache, 'disk');
  assert.equal(disk.passes, 5);
  assert.throws(() => parseOptions(['--peer-cache', 'nfs']), /--peer-cache must be one of tmpfs, disk/);
  assert.throws(() => parseOptions(['--passes', '0']), /--passes must be a positive integer/);
  const full = parseOptions(['--size', '1G', '--workloads', 'model-load,small-files', '--files', '200']);
  if (full === 'help') throw new Error('unexpected help');
  assert.equal(full.modelSize, 1024 ** 3);
  assert.deepEqual(full.workloads, ['model-load', 'small-files']);
  assert.equal(full.smallDirs, 100);
  assert.equal(parseSize('64M', 'x'), 64 * 1024 ** 2);
  assert.equal(parseSize('512Ki', 'x'), 512 * 1024);
  assert.throws(() => parseOptions(['--workloads', 'model-load,nope']), /unknown "nope"/);
  assert.throws(() => parseSize('lots', '--size'), /--size must be a size/);
  assert.equal(parseOptions(['--help']), 'help');
  const named = parseOptions(['--name', '2026-12-01-random-mmap-warm', '--workloads', 'safetensors,shared-file,page-cache']);
  if (named === 'help') throw new Error('unexpected help');
  assert.equal(named.name, '2026-12-01-random-mmap-warm');
  assert.deepEqual(named.workloads, ['safetensors', 'shared-file', 'page-cache']);
  assert.throws(() => parseOptions(['--name', '../x']), /--name must be a file name/);
});

test('safetensors file: header length, JSON header with contiguous data_offsets, tensors of a few MiB', () => {
  const st = buildSafetensors(40 * 1024 * 1024);
  assert.ok(st.bytes.length <= 40 * 1024 * 1024);
  const n = Number(st.bytes.readBigUInt64LE(0));
  assert.equal(st.dataStart, 8 + n);
  assert.equal(st.dataStart % 8, 0);
  const header = JSON.parse(st.bytes.subarray(8, 8 + n).toString()) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  assert.deepEqual(header['__metadata__'], { format: 'pt' });
  let at = 0;
  for (const t of st.tensors) {
    assert.deepEqual(header[t.name]?.data_offsets, [at, t.end]);
    at = t.end;
  }
  assert.equal(st.dataStart + at, st.bytes.length);
  assert.ok(st.tensors.some((t) => t.end - t.begin >= 2 * 1024 * 1024));
});

function sampleWorkloads(): WorkloadResult[] {
  const cold = metric('cold, 4 shards in parallel', 'MiB/s', 'higher');
  Object.assign(cold.values, { direct: 400, 'direct-ranged': 420, ceiling: 800, s3fs: 300, rclone: 350, eddy: 320 });
  const warm = metric('warm, 4 shards in parallel', 'MiB/s', 'higher');
  Object.assign(warm.values, { ceiling: 1000, s3fs: 400, rclone: 380, eddy: 900 });
  const findAll = metric('find + stat, first, with the listing', 's', 'lower');
  Object.assign(findAll.values, { s3fs: 6, eddy: 1.5 });
  const read1 = metric('read all, 8 readers, first', 'files/s', 'higher');
  Object.assign(read1.values, { s3fs: 400, eddy: 500 });
  const wanLoad = metric('model load, 4 shards in parallel', 'MiB/s', 'higher');
  Object.assign(wanLoad.values, { direct: 50, eddy: 600 });
  const upd3 = metric('update, 3 regions: MiB crossing the WAN', 'MiB', 'lower');
  Object.assign(upd3.values, { eddy: 800, ideal: 768 });
  const shared8 = metric('warm, 8 readers of one file', 'MiB/s', 'higher');
  Object.assign(shared8.values, { ceiling: 800, eddy: 600 });
  const reread = metric('re-read, page cache kept (no drop)', 'MiB/s', 'higher');
  Object.assign(reread.values, { tmpfs: 2000, eddy: 1600 });
  const mk = (name: string, metrics: ReturnType<typeof metric>[]): WorkloadResult => ({ name, title: name, description: `${name} workload`, metrics, notes: [] });
  return [mk('model-load', [cold, warm]), mk('small-files', [findAll, read1]), mk('wan', [wanLoad, upd3]), mk('shared-file', [shared8]),
    mk('page-cache', [reread])];
}

test('goals: ratios computed from the run, met and not met, and every goal says why', () => {
  const goals = computeGoals(sampleWorkloads());
  const byStart = (s: string) => goals.find((g) => g.goal.startsWith(s))!;
  assert.equal(byStart('warm model load ≥ 0.85').ratio, 0.9);
  assert.equal(byStart('warm model load ≥ 0.85').met, true);
  assert.equal(byStart('warm model load ≥ 1 × s3fs').ratio, 2.25);
  assert.equal(byStart('warm model load ≥ 2').ratio, 2.25); // 900 / max(400, 380)
  assert.equal(byStart('find + stat').ratio, 4); // 6 s / 1.5 s
  assert.equal(byStart('find + stat').met, true);
  assert.equal(byStart('small files, first read').ratio, 1.25);
  assert.equal(byStart('small files, first read').met, false);
  assert.match(byStart('small files, first read').why, /^not met: 1\.25× against 1\.5×/);
  assert.equal(byStart('cold model load').ratio, 0.76); // 320 / 420 (direct ranged)
  assert.equal(byStart('cold model load').met, true);
  assert.equal(byStart('through the WAN').ratio, 12);
  assert.match(byStart('DataLoad').why, /^not measured: workload preload not in this run/);
  assert.match(byStart('safetensors').why, /^not measured: workload safetensors not in this run/);
  assert.equal(byStart('N readers of one large file (N = 8)').ratio, 0.75); // 600 / 800
  assert.equal(byStart('N readers of one large file (N = 8)').met, false);
  assert.match(byStart('N readers of one large file (N = 4)').why, /^not measured: a figure is missing/);
  assert.equal(byStart('re-reading a cached model').ratio, 0.8); // 1600 / 2000
  assert.equal(byStart('re-reading a cached model').met, true);
  const one = goals.find((g) => g.goal.includes('(1 region)'))!;
  assert.equal(one.met, null);
  const three = goals.find((g) => g.goal.includes('(3 regions)'))!;
  assert.equal(three.ratio, 0.96);
  assert.equal(three.met, true);
  for (const g of goals) assert.match(g.why, /^(met|not met|not measured): /);
});

test('goals: the s3-passthrough floor, when in the run, is shown beside the cold and first-read goals', () => {
  const ws = sampleWorkloads();
  ws[0]!.metrics[0]!.values['s3-passthrough'] = 252; // cold: 0.6× direct ranged (420)
  ws[1]!.metrics[1]!.values['s3-passthrough'] = 900; // first read: 2.25× s3fs (400)
  ws[0]!.metrics[0]!.values['eddy'] = 210;
  const goals = computeGoals(ws);
  const byStart = (s: string) => goals.find((g) => g.goal.startsWith(s))!;
  assert.deepEqual(byStart('cold model load').floor, { by: 's3-passthrough', ratio: 0.6 });
  assert.match(byStart('cold model load').why, /^not met: 0\.5× against 0\.7×; floor: s3-passthrough reaches only 0\.6×, so the goal is out of reach/);
  assert.match(byStart('cold model load').measured, /floor s3-passthrough 252 MiB\/s/);
  assert.deepEqual(byStart('small files, first read').floor, { by: 's3-passthrough', ratio: 2.25 });
  assert.match(byStart('small files, first read').why, /floor: s3-passthrough reaches 2\.25×, so the gap is the client's own overhead/);
  assert.equal(computeGoals(sampleWorkloads()).find((g) => g.goal.startsWith('cold model load'))!.floor, undefined);
});

test('passes: the figure is the median, with min and max kept', () => {
  const m = metric('x', 'MiB/s', 'higher');
  recordPasses(m, 'eddy', [300, 100, 200]);
  assert.equal(m.values['eddy'], 200);
  assert.deepEqual(m.spread?.['eddy'], { median: 200, min: 100, max: 300, passes: [300, 100, 200] });
  recordPasses(m, 's3fs', [1, 2, 3, 4]);
  assert.equal(m.values['s3fs'], 2.5);
  assert.match(renderWorkload({ name: 'w', title: 'w', description: '', metrics: [m], notes: [] }), /\| 200 \(100–300\) \|/);
  assert.deepEqual(parseCksum('3287646509 5 small/a.bin'), { crc: '3287646509', bytes: 5, path: 'small/a.bin' });
  assert.deepEqual(parseCksum('4294967295 0'), { crc: '4294967295', bytes: 0, path: '' });
  assert.equal(parseCksum('garbage'), undefined);
});

test('RESULTS.md: the analysis is kept for the commit it names, refused for another, dropped on request', () => {
  const report = '# Eddy benchmark results\n\nfigures\n';
  const prev = `${report}\n## Analysis (run at commit abc1234)\n\nwarm is fast.\n`;
  assert.equal(analysisOf(prev)?.commit, 'abc1234');
  assert.match(composeResultsMd(report, prev, 'abc1234def'), /## Analysis \(run at commit abc1234\)\n\nwarm is fast\.\n$/);
  assert.throws(() => composeResultsMd(report, prev, 'fff0000'), AnalysisMismatchError);
  assert.throws(() => composeResultsMd(report, `${report}\n## Analysis\n\nno commit\n`, 'abc1234'), /names no commit/);
  assert.equal(composeResultsMd(report, prev, 'fff0000', { dropStale: true }), report);
  assert.equal(composeResultsMd(report, '', 'fff0000'), report);
});

test('report: tables carry Eddy/peer and Eddy/ceiling ratios; the chart has a bar per figure', () => {
  const [ml] = sampleWorkloads();
  assert.equal(speedup(ml!.metrics[0]!, 'eddy', 's3fs'), 320 / 300);
  const md = renderWorkload(ml!, 'results/x.svg');
  assert.match(md, /\| metric \| unit \| direct \| direct-ranged \| ceiling \| s3fs \| rclone \| eddy \| Eddy\/direct \|/);
  assert.match(md, /\| warm, 4 shards in parallel \| MiB\/s \| — \| — \| 1,000 \| 400 \| 380 \| 900 \| — \| — \| 0\.90× \| 2\.25× \| 2\.37× \|/);
  assert.match(md, /!\[model-load\]\(results\/x\.svg\)/);
  const svg = renderChart(ml!, 'sample');
  assert.match(svg, /^<svg /);
  assert.equal((svg.match(/<rect x="130"/g) ?? []).length, 10); // 6 cold + 4 warm bars
  const full: RunResults = {
    meta: { date: '2026-01-01', host: 'h', startedAt: 'a', finishedAt: 'b', command: 'npm run bench -- --quick', options: {}, machine: { cores: 2 }, versions: { s3fs: 'V1.90' }, loadAverage: { start: [1, 1, 1], end: [2, 2, 2] }, note: 'noisy' },
    targets: { eddy: 'cluster' }, workloads: sampleWorkloads(), goals: computeGoals(sampleWorkloads()), errors: ['rclone did not start: x'],
  };
  const doc = renderMarkdown(full, 'results/x.svg', 'results/x.json');
  assert.match(doc, /npm run bench -- --quick/);
  assert.match(doc, /comes from \[`results\/x\.json`\]/);
  assert.match(doc, /## Goals/);
  assert.match(doc, /## Errors\n\n- rclone did not start/);
});

const here = dirname(fileURLToPath(import.meta.url));

test('null-fs (FUSE ceiling) serves the given tree with the given sizes, and a source file\'s own bytes', { timeout: 60_000 }, async () => {
  const work = await mkdtemp(join(tmpdir(), 'eddy-bench-test-'));
  dirs.push(work);
  const st = buildSafetensors(12 * 1024 * 1024);
  await writeFile(join(work, 'st.bin'), st.bytes);
  const files = [{ path: 'model/a.bin', size: 3 * 1024 * 1024 + 5 }, { path: 'small/d0/f1.bin', size: 65536 }, { path: 'small/d1/f2.bin', size: 0 },
    { path: 'model/m.safetensors', size: st.bytes.length, source: join(work, 'st.bin') }];
  const t = new CeilingTarget(files, work);
  await t.start();
  try {
    assert.equal(await isMounted(t.root), true);
    assert.deepEqual((await readdir(t.root)).sort(), ['model', 'small']);
    assert.deepEqual((await readdir(join(t.root, 'small'))).sort(), ['d0', 'd1']);
    for (const f of files) {
      assert.equal((await stat(join(t.root, f.path))).size, f.size);
      assert.equal((await readFile(join(t.root, f.path))).length, f.size);
    }
    await assert.rejects(stat(join(t.root, 'model', 'missing.bin')), { code: 'ENOENT' });
    // The mmap loader parses the header and reads every tensor; its CRC check passes on the same bytes only.
    const load = await safetensorsLoad(join(t.root, 'model/m.safetensors'), st.crc32);
    assert.equal(load.bytes, st.bytes.length);
    assert.equal(load.tensors, st.tensors.length);
    await assert.rejects(safetensorsLoad(join(t.root, 'model/m.safetensors'), st.crc32 ^ 1), WrongBytesError);
  } finally {
    await t.close();
  }
  assert.equal(await isMounted(t.root), false);
});

test('delay proxy forwards bytes unchanged both ways and passes half-closes through', { timeout: 60_000 }, async () => {
  // An upstream that answers each connection with the sha256 of everything it received.
  const upstream = createServer({ allowHalfOpen: true }, (sock) => {
    const h = createHash('sha256');
    sock.on('data', (d: Buffer) => h.update(d));
    sock.on('end', () => { sock.end(h.digest()); });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const port = await freePort();
  const proxy = new Daemon('delay-proxy', process.execPath, [join(here, '..', 'delay-proxy.js'), '--listen', `127.0.0.1:${port}`, '--target', `127.0.0.1:${(upstream.address() as AddressInfo).port}`, '--delay-ms', '5']);
  try {
    const payload = randomBytes(6 * 1024 * 1024 + 17);
    const reply = await (async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await new Promise<Buffer>((resolve, reject) => {
            const c = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
            const chunks: Buffer[] = [];
            c.on('data', (d: Buffer) => chunks.push(d));
            c.on('end', () => resolve(Buffer.concat(chunks)));
            c.on('error', reject);
            c.end(payload);
          });
        } catch (err) {
          if (attempt > 50 || proxy.exited) throw err; // the proxy may still be starting
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    })();
    assert.deepEqual(reply, createHash('sha256').update(payload).digest());
  } finally {
    await proxy.stop();
    await new Promise((r) => upstream.close(r));
  }
});

// `eddy up` on the bundled example (examples/eddy.yaml over examples/data): the mount shows the
// example files with their bytes, `eddy get dataset` reports them, and Ctrl-C unmounts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatBytes } from '@eddy/core';
import { EddyProcess, REPO_ROOT, runEddy, eventually, forceUnmount, isMounted, CleanupStack } from '@eddy/test-cluster';

const cleanup = new CleanupStack();
after(async () => { await cleanup.run(); });

test('eddy up on the bundled example: files readable at the mount, get dataset reports them, SIGINT unmounts', { timeout: 120_000 }, async () => {
  spawnSync(process.execPath, [join(REPO_ROOT, 'examples', 'generate-data.mjs')], { stdio: 'inherit' });
  const src = join(REPO_ROOT, 'examples', 'data');
  const sizes = await Promise.all(['RELEASENOTES.md', 'models/base/weights.bin', 'models/adapter.bin'].map(async (p) => (await stat(join(src, p))).size));
  const total = sizes.reduce((a, b) => a + b, 0);

  const dir = await mkdtemp(join(tmpdir(), 'eddy-up-'));
  cleanup.add('temp dir', () => rm(dir, { recursive: true, force: true }));
  const mnt = join(dir, 'data');
  const dataDir = join(dir, 'state');
  // Run from another directory: the example's file://./data resolves against the manifest's directory.
  const up = new EddyProcess(['up', '-f', join(REPO_ROOT, 'examples', 'eddy.yaml'), '--mount', mnt, '--data-dir', dataDir, '--listen', '127.0.0.1:0'], { cwd: dir });
  cleanup.add('eddy up', async () => { await up.stop('SIGINT'); forceUnmount(mnt); });
  const address = (await up.waitForOutput(/master listening on (\S+)/, 30_000))[1]!;
  await up.waitForOutput(/Press Ctrl-C/, 60_000);
  assert.match(up.stdout, /^dataset\.data\.fluid\.io\/demo created$/m);
  assert.match(up.stdout, /^jindoruntime\.data\.fluid\.io\/demo created$/m);
  assert.match(up.stdout, /^dataload\.data\.fluid\.io\/cron-dataload created$/m);
  assert.match(up.stdout, new RegExp(`mounted at ${mnt}`));
  assert.match(up.stdout, /eddy get dataset/);

  assert.deepEqual((await readdir(mnt)).sort(), ['RELEASENOTES.md', 'models']);
  assert.deepEqual((await readdir(join(mnt, 'models'))).sort(), ['adapter.bin', 'base']);
  assert.ok((await readFile(join(mnt, 'models', 'adapter.bin'))).equals(await readFile(join(src, 'models', 'adapter.bin'))));
  assert.ok((await readFile(join(mnt, 'RELEASENOTES.md'))).equals(await readFile(join(src, 'RELEASENOTES.md'))));

  const env = { EDDY_MASTER: address, EDDY_TOKEN_FILE: join(dataDir, 'admin-token') };
  const row = await eventually('get dataset to report the example', 30_000, async () => {
    const r = await runEddy(['get', 'dataset', '-o', 'wide'], { env });
    assert.equal(r.code, 0, r.stderr);
    const line = r.stdout.split('\n')[1] ?? '';
    return line.startsWith(`demo   ${formatBytes(total)}`) ? line : undefined;
  });
  assert.match(row, / 256\.00MiB +\S+% +Bound +3 +/);

  // /metrics (master, worker and mount in one registry) and the status page, on loopback.
  const metricsUrl = /^ {2}metrics +(http:\/\/127\.0\.0\.1:\d+\/metrics)$/m.exec(up.stdout)?.[1];
  const statusUrl = /^ {2}status +(http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(up.stdout)?.[1];
  assert.ok(metricsUrl && statusUrl, up.stdout);
  const metrics = await (await fetch(metricsUrl)).text();
  for (const series of ['eddy_dataset_ufs_bytes{dataset="demo"}', 'eddy_worker_tier_capacity_bytes{dataset="demo",tier="0",medium="MEM"}',
    'eddy_client_read_bytes_total{dataset="demo",source=', 'eddy_fuse_operations_total{dataset="demo",op="read",result="ok"}', 'process_cpu_user_seconds_total']) {
    assert.ok(metrics.includes(series), `${series} in eddy up's /metrics`);
  }
  assert.equal((await fetch(`${statusUrl}api/status`)).status, 200);

  // A one-off load of the models directory, followed to its end.
  const load = await runEddy(['load', 'demo', '--path', '/models', '--name', 'models-now', '--wait'], { env, timeoutMs: 60_000 });
  assert.equal(load.code, 0, load.stderr);
  assert.match(load.stdout, /^dataload\.data\.fluid\.io\/models-now created$/m);
  assert.match(load.stdout.trimEnd().split('\n').at(-1)!, /^models-now Complete 100\.0% 21\.00MiB\/21\.00MiB 2\/2 files$/);

  const stopped = await up.stop('SIGINT', 30_000);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.match(stopped.stdout, /stopped\n$/);
  assert.equal(await isMounted(mnt), false);
});

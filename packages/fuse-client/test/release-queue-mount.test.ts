// Releases answered in libfuse's threads and drained by JS in batches (the patched fuse-native's
// release queue, mount-dataset.ts queueReleases), through a real mount (fake master, file:// bucket):
// every release is counted, none goes through the JS handler, and each one still frees what the
// handle held (its version lease, which the master is told about); with the fast read path off,
// releases go to the JS handler one by one as before.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@eddy/core';
import { ProcessMetrics } from '@eddy/metrics';
import { waitFor } from '@eddy/testkit';
import { mountDataset, type MountHandle } from '../src/index.js';
import { startFakeMaster, type FakeMaster } from './fake-master.js';
import { forceUnmount, holderScript, nodeScript, sh } from './helpers.js';

const MiB = 1 << 20;
const FILES = 40;
const SIZE = 3000;

/** FUSE operations `op` by who answered them: the counter has all of them, the histogram only the JS handler's. */
async function answered(metrics: ProcessMetrics, op: string): Promise<{ all: number; js: number }> {
  let all = 0;
  for (const v of (await metrics.registry.getSingleMetric('eddy_fuse_operations_total')!.get()).values) {
    if (v.labels['op'] === op) all += v.value;
  }
  let js = 0;
  for (const v of (await metrics.registry.getSingleMetric('eddy_fuse_operation_duration_seconds')!.get()).values) {
    if (v.labels['op'] === op && (v as { metricName?: string }).metricName?.endsWith('_count')) js += v.value;
  }
  return { all, js };
}

describe('releases answered in libfuse\'s threads, drained by JS', { timeout: 120_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'eddy-release-queue-'));
  const bucket = join(root, 'bucket');
  let master: FakeMaster;

  before(async () => {
    mkdirSync(join(bucket, 'd'), { recursive: true });
    for (let f = 0; f < FILES; f++) writeFileSync(join(bucket, 'd', `f${f}`), Buffer.alloc(SIZE, f));
    master = await startFakeMaster({ dataset: 'demo', url: `file://${bucket}`, blockSize: MiB, fuseArgs: ['-oro'] });
  });
  after(async () => {
    await master?.close();
    rmSync(root, { recursive: true, force: true });
  });

  async function mounted(name: string, fastRead: boolean, body: (mnt: string, m: MountHandle, metrics: ProcessMetrics) => Promise<void>): Promise<void> {
    const mnt = join(root, name);
    const metrics = new ProcessMetrics();
    const m = await mountDataset({
      masterAddress: master.address, dataset: 'demo', mountpoint: mnt, token: master.token, directUfs: true,
      logger: silentLogger(), metrics, fastRead, versionLeaseBatchMs: 20,
    });
    try {
      await body(mnt, m, metrics);
    } finally {
      await m.close();
      await forceUnmount(mnt);
    }
  }

  /** The versions the mount holds now, as the master was last told. */
  const heldNow = (): string[] => [...master.held.values()].flat();

  /** A process holds d/f0 open (its lease is taken), then closes it: the lease is given back. */
  async function holdAndClose(mnt: string, tag: string): Promise<void> {
    const flag = join(root, `${tag}-flag`);
    const go = join(root, `${tag}-go`);
    const holder = nodeScript(holderScript(SIZE), [join(mnt, 'd', 'f0'), flag, go], 60_000);
    await waitFor(() => existsSync(flag), { timeoutMs: 30_000, what: 'the holder opening d/f0' });
    await waitFor(() => heldNow().some((v) => v.startsWith('/d/f0@')), { timeoutMs: 10_000, what: 'the master told d/f0 is held' });
    writeFileSync(go, '');
    assert.match((await holder).stdout, /^ok 3000 /);
    await waitFor(() => !heldNow().some((v) => v.startsWith('/d/f0@')), { timeoutMs: 10_000, what: 'the master told d/f0 is released' });
  }

  test('every release is answered in C and counted, and frees the handle\'s lease', async () => {
    await mounted('mnt-queue', true, async (mnt, _m, metrics) => {
      await holdAndClose(mnt, 'queue');
      const files = Array.from({ length: FILES }, (_, f) => join(mnt, 'd', `f${f}`));
      const out = await sh('cat', files);
      assert.equal(out.stdout.length, FILES * SIZE);
      const opens = (await answered(metrics, 'open')).all;
      assert.ok(opens >= FILES + 1, `${opens} opens`);
      await waitFor(async () => (await answered(metrics, 'release')).all === opens, { timeoutMs: 10_000, what: 'every release counted' });
      assert.equal((await answered(metrics, 'release')).js, 0, 'none through the JS handler');
      await waitFor(() => heldNow().length === 0, { timeoutMs: 10_000, what: 'no lease left (the master told in its next batch)' });
    });
  });

  test('with the fast read path off, releases go through the JS handler one by one', async () => {
    await mounted('mnt-js', false, async (mnt, _m, metrics) => {
      await holdAndClose(mnt, 'js');
      const opens = (await answered(metrics, 'open')).all;
      await waitFor(async () => (await answered(metrics, 'release')).js === opens, { timeoutMs: 10_000, what: 'the release through JS' });
    });
  });
});

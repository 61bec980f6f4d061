// The fast attr table through a real mount (fake master, file:// bucket): getattr of listed paths
// answered in libfuse's threads (counted in the FUSE-operation metrics, not in the JS handlers'
// histogram), a changed object reported after the attr timeout as before, a page-cache reader's
// version reported while it holds it, and --no-fast-attr answering every getattr in JS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '@eddy/core';
import { ProcessMetrics } from '@eddy/metrics';
import { waitFor } from '@eddy/testkit';
import { mountDataset, type MountHandle } from '../src/index.js';
import { startFakeMaster, type FakeMaster } from './fake-master.js';
import { forceUnmount, holderScript, nodeScript, sh, sha256 } from './helpers.js';

const MiB = 1 << 20;
const TIMEOUT_S = 2;
const ARGS = ['-okernel_cache', '-oro', ...['attr', 'entry', 'negative'].map((t) => `-o${t}_timeout=${TIMEOUT_S}`)];
const DIRS = 4;
const PER_DIR = 25;
const SIZE = 100;

/** getattr operations by who answered them: the counter has all of them, the histogram only JS's. */
async function getattrs(metrics: ProcessMetrics, mount: MountHandle): Promise<{ fast: number; js: number }> {
  void mount.readStats; // drains what the libfuse threads answered into the counter
  let total = 0;
  for (const v of (await metrics.registry.getSingleMetric('eddy_fuse_operations_total')!.get()).values) {
    if (v.labels['op'] === 'getattr') total += v.value;
  }
  let js = 0;
  for (const v of (await metrics.registry.getSingleMetric('eddy_fuse_operation_duration_seconds')!.get()).values) {
    if (v.labels['op'] === 'getattr' && (v as { metricName?: string }).metricName?.endsWith('_count')) js += v.value;
  }
  return { fast: total - js, js };
}

describe('the fast attr table: getattr of cached paths answered in libfuse\'s threads', { timeout: 120_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'eddy-fast-attrs-'));
  const bucket = join(root, 'bucket');
  let master: FakeMaster;

  before(async () => {
    for (let d = 0; d < DIRS; d++) {
      mkdirSync(join(bucket, `d${d}`), { recursive: true });
      for (let f = 0; f < PER_DIR; f++) writeFileSync(join(bucket, `d${d}`, `f${f}`), Buffer.alloc(SIZE, d + f));
    }
    master = await startFakeMaster({ dataset: 'demo', url: `file://${bucket}`, blockSize: MiB, fuseArgs: ARGS });
  });
  after(async () => {
    await master?.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** `timeouts`: the mount's attr/entry timeouts over the Runtime's 2 s (a long one keeps a slow find within them). */
  async function mounted<T>(
    name: string, fastAttr: boolean | undefined,
    body: (mnt: string, m: MountHandle, metrics: ProcessMetrics) => Promise<T>, timeouts = TIMEOUT_S,
  ): Promise<T> {
    const mnt = join(root, name);
    const metrics = new ProcessMetrics();
    const m = await mountDataset({
      masterAddress: master.address, dataset: 'demo', mountpoint: mnt, token: master.token, directUfs: true,
      logger: silentLogger(), metrics, fuseOptions: [`attr_timeout=${timeouts},entry_timeout=${timeouts}`],
      ...(fastAttr === undefined ? {} : { fastAttr }),
    });
    try {
      return await body(mnt, m, metrics);
    } finally {
      await m.close();
      await forceUnmount(mnt);
    }
  }

  const findSizes = async (mnt: string): Promise<string[]> =>
    (await sh('find', [mnt, '-type', 'f', '-printf', '%s\n'])).stdout.trim().split('\n');

  test('find + stat of a listed tree: every file\'s getattr is answered in C, none reaches JS', async () => {
    await mounted('mnt-find', undefined, async (mnt, m, metrics) => {
      const sizes = await findSizes(mnt);
      assert.equal(sizes.length, DIRS * PER_DIR);
      assert.ok(sizes.every((s) => s === String(SIZE)));
      const n = await getattrs(metrics, m);
      assert.ok(n.fast >= DIRS * PER_DIR, `answered in C: ${n.fast}`);
      // The root (not in any listing) and nothing per file.
      assert.ok(n.js < DIRS, `answered in JS: ${n.js}`);
    }, 60);
  });

  test('a changed object: its new size and mtime after the attr timeout, as before', async () => {
    await mounted('mnt-update', undefined, async (mnt, m, metrics) => {
      await findSizes(mnt);
      const key = join('d1', 'f3');
      assert.equal((await sh('stat', ['-c', '%s', join(mnt, key)])).stdout.trim(), String(SIZE));
      writeFileSync(join(bucket, key), Buffer.alloc(3 * SIZE, 7));
      utimesSync(join(bucket, key), 1_700_000_000, 1_700_000_000);
      await sleep(TIMEOUT_S * 1000 + 1000);
      assert.equal((await sh('stat', ['-c', '%s %Y', join(mnt, key)])).stdout.trim(), `${3 * SIZE} 1700000000`);
      // A find over the tree again (relisted past the timeouts): the new size, answered in C.
      const before = await getattrs(metrics, m);
      await sleep(TIMEOUT_S * 1000 + 1000);
      const sizes = await findSizes(mnt);
      assert.equal(sizes.filter((s) => s === String(3 * SIZE)).length, 1);
      const after = await getattrs(metrics, m);
      assert.ok(after.fast - before.fast >= DIRS * PER_DIR - 1, `answered in C: ${after.fast - before.fast}`);
    });
  });

  test('a page-cache reader of the old version: stat shows its size while it holds it, the new one after', async () => {
    await mounted('mnt-held', undefined, async (mnt, m, metrics) => {
      await findSizes(mnt);
      const key = join('d2', 'f5');
      const v1 = Buffer.alloc(SIZE, 2 + 5);
      const flag = join(root, 'held-flag');
      const go = join(root, 'held-go');
      // A reads all of v1 (the lookup before its open answered in C) and holds its handle.
      const a = nodeScript(holderScript(MiB), [join(mnt, key), flag, go], 60_000);
      await waitFor(() => existsSync(flag), { timeoutMs: 30_000, what: 'A holding its handle' });
      const v2 = Buffer.alloc(5 * SIZE, 9);
      writeFileSync(join(bucket, key), v2);
      await sleep(TIMEOUT_S * 1000 + 1000);
      const before = await getattrs(metrics, m);
      const statSize = async (): Promise<number> => Number((await sh('stat', ['-c', '%s', join(mnt, key)])).stdout.trim());
      assert.equal(await statSize(), v1.length, 'v1\'s size while A reads it through the page cache');
      await sleep(TIMEOUT_S * 1000 + 1000);
      await findSizes(mnt);
      assert.equal(await statSize(), v1.length, 'still v1\'s, from the entry a new listing put');
      assert.ok((await getattrs(metrics, m)).fast > before.fast);
      writeFileSync(go, '');
      assert.equal((await a).stdout.trim(), `ok ${v1.length} ${sha256(v1)}`);
      await sleep(TIMEOUT_S * 1000 + 1000);
      assert.equal(await statSize(), v2.length, 'then v2\'s');
    });
  });

  test('--no-fast-attr (or a binary without the table): every getattr is answered in JS, with the same answers', async () => {
    await mounted('mnt-off', false, async (mnt, m, metrics) => {
      const listed = (await sh('find', [mnt, '-type', 'f', '-printf', '%P %s\n'])).stdout.trim().split('\n').sort();
      assert.equal(listed.length, DIRS * PER_DIR);
      assert.deepEqual(listed, listed.map((l) => `${l.split(' ')[0]} ${statSync(join(bucket, l.split(' ')[0]!)).size}`));
      const n = await getattrs(metrics, m);
      assert.equal(n.fast, 0);
      assert.ok(n.js >= DIRS * PER_DIR);
    }, 60);
  });
});

// Fault: the worker's tier directory sits on a tiny filesystem (an 8 MiB tmpfs) while its quota
// says 64 MiB, so writes hit ENOSPC long before the store thinks it is full. Loading and reading
// 24 MiB through it must end in eviction (the quota is capped at the filesystem's size) or a clear error — never a corrupt or partial block:
// every read through the mount returns the right bytes or EIO, and every block file left in the
// tier has the size and CRC32C its name promises.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { eventually, EddyCluster, MiB, faultManifests, onceDataLoad, readInChild, dropPageCache } from '@eddy/test-cluster';
import type { proto } from '@eddy/protocol';

let cluster: EddyCluster | undefined;
after(async () => { await cluster?.close(); });

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  }
  return out;
}

test('a tier on a full 8 MiB tmpfs (quota 64 MiB): reads are right or EIO, no partial or corrupt block files', { timeout: 170_000 }, async () => {
  cluster = await EddyCluster.start('fault-tier-full');
  const c = cluster;
  const tier = join(c.root, 'tiny');
  await mkdir(tier);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', tier]);
  c.cleanup.add('tmpfs', () => { execFileSync('umount', ['-l', tier]); });
  const objects = new Map<string, Buffer>();
  for (let i = 0; i < 8; i++) objects.set(`m/f${i}.bin`, randomBytes(3 * MiB + i * 1000));
  await c.putObjects(objects);
  await c.apply(faultManifests(c.bucket, c.s3, { blockSize: '1Mi' }));
  await c.refresh();
  await c.startWorker({ id: 'w1', tiers: [`MEM:${tier}:64Mi:0.95:0.7`] });

  // A DataLoad of everything: it must end (Complete or Failed), not hang or claim what it lacks.
  await c.apply(onceDataLoad('fill', 'models', ['/']));
  const load = await eventually('the fill DataLoad to end', 90_000, async () => {
    const d = await c.dataLoadStatus('fill');
    return d && (d.phase === 'Complete' || d.phase === 'Failed') ? d : undefined;
  }, 300);

  // The worker caps the tier's quota at the filesystem's size, so the watermarks evict instead of
  // writes failing; a block that still cannot be stored fails the load with a clear reason.
  const tiers = (await c.rpc.listWorkers({ runtime: '' })).workers[0]?.tiers ?? [];
  assert.ok(tiers.length === 1 && Number(tiers[0]!.quotaBytes) <= 8 * MiB, `quota capped: ${JSON.stringify(tiers)}`);
  if (load.phase === 'Failed') assert.match(load.conditions.at(-1)?.message ?? '', /NO_SPACE: .*no room/);
  // Evictions reach the master with the worker's next heartbeat, so CACHED may lag by one beat.
  let ds: proto.DatasetStatus__Output | undefined;
  await eventually('CACHED to fit the filesystem', 15_000, async () => {
    ds = await c.datasetStatus('models');
    return ds && ds.cachedBytes > 0 && ds.cachedBytes <= 8 * MiB ? ds : undefined;
  }, 200).catch(() => undefined);
  assert.ok(ds && ds.cachedBytes > 0 && ds.cachedBytes <= 8 * MiB, `CACHED fits the filesystem: ${JSON.stringify(ds)}`);

  const mnt = join(c.root, 'mnt');
  await c.mount(mnt);
  let okReads = 0;
  let eioReads = 0;
  for (let round = 0; round < 3; round++) {
    await dropPageCache();
    const results = await Promise.all([...objects.keys()].map((k) => readInChild(join(mnt, k), { timeoutMs: 60_000 })));
    results.forEach((r, i) => {
      const key = [...objects.keys()][i]!;
      if (r.ok) {
        assert.equal(r.sha256, sha256(objects.get(key)!), `${key} round ${round}: wrong bytes`);
        okReads++;
      } else {
        assert.equal(r.error, 'EIO', `${key} round ${round}: ${JSON.stringify(r)}`);
        eioReads++;
      }
    });
  }

  // Every block file in the tier is whole: size = its block's length, CRC32C = the name's.
  const blockSizes = new Set([MiB, ...[...objects.values()].map((b) => b.length % MiB)]);
  const files = (await filesUnder(tier)).filter((f) => !f.includes('.tmp-'));
  assert.ok(files.length > 0, 'some blocks were cached');
  for (const f of files) {
    const m = /\.([0-9a-f]{8})$/.exec(f);
    assert.ok(m, `block file name ${f}`);
    const bytes = await readFile(f);
    assert.ok(blockSizes.has(bytes.length), `${f}: ${bytes.length} bytes is no block length`);
    assert.equal((crc32c(bytes) >>> 0).toString(16).padStart(8, '0'), m[1], `${f}: CRC32C`);
  }
  // No temp file is left behind eating the tiny filesystem once reads are over.
  await eventually('no temp files left in the tier', 10_000, async () => ((await filesUnder(tier)).some((f) => f.includes('.tmp-')) ? undefined : true));
  // Recorded for docs/reliability.md only: the kernel never lets tmpfs usage pass its size.
  const df = execFileSync('df', ['-B1', '--output=used,size', tier], { encoding: 'utf8' }).trim().split('\n')[1]!.trim().split(/\s+/).map(Number);
  assert.ok(okReads > 0, `some reads succeed with the tier full (ok=${okReads}, eio=${eioReads})`);
  assert.ok(c.workers.get('w1')!.proc.running, 'the worker survived ENOSPC');
  assert.ok((await stat(tier)).isDirectory());
  console.log(`# fill DataLoad ended ${load.phase} (${load.conditions.at(-1)?.reason ?? ''}: ${load.conditions.at(-1)?.message ?? ''}); reads ok=${okReads} eio=${eioReads}; ${files.length} block files, tmpfs used ${df[0]} of ${df[1]} bytes`);
});

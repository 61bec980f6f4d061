// Update: one of the 4 shards is replaced in the bucket; how long until a fresh open through each
// mount returns the new bytes. Eddy is told through a DataLoad with loadMetadata (as the seed's
// cron DataLoad would); the peers only have their own cache expiry. Bytes fetched from the bucket
// per update are measured in the WAN scenario, where a link counts them.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { putRandomObject } from '../fixture.js';
import { sleep } from '../exec.js';
import { readParallel, readPrefix } from '../read.js';
import { metric, type WorkloadResult } from '../results.js';
import { guarded, type BenchContext } from '../context.js';
import type { FsTarget } from '../targets/target.js';

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Polls a fresh open of `path` until its first bytes equal `prefix`; ms since `t0`, or null on timeout. */
export async function waitForPrefix(path: string, prefix: Buffer, t0: number, timeoutMs: number): Promise<number | null> {
  while (performance.now() - t0 < timeoutMs) {
    try {
      if ((await readPrefix(path, prefix.length)).equals(prefix)) return performance.now() - t0;
    } catch { /* a reader may see a transient error while the version flips; keep polling */ }
    await sleep(200);
  }
  return null;
}

export async function update(ctx: BenchContext): Promise<WorkloadResult> {
  const file = ctx.fixture.modelFiles[1] ?? ctx.fixture.modelFiles[0]!;
  const targets = ctx.targets.filter((t) => t.kind !== 'ceiling');
  const visible = metric('new bytes visible after the upload', 's', 'lower');
  const verified = metric('whole file equals the new version', 'yes=1', 'higher');
  const notes: string[] = [];
  // Every target starts warm with the old version, as in production.
  const warmed: FsTarget[] = [];
  for (const t of targets) {
    const ok = await guarded(ctx, `update warm ${t.name}`, async () => {
      if (t.kind === 'eddy') await t.warm(ctx.fixture.modelFiles); else await readParallel(t.root, [file]);
      return true;
    });
    if (ok) warmed.push(t);
  }
  const next = await putRandomObject(ctx.client, ctx.fixture.bucket, file.path, file.size);
  ctx.fixture.versions.set(file.path, next);
  const t0 = performance.now();
  ctx.log(`update: replaced ${file.path}`);
  await Promise.all(warmed.map(async (t) => guarded(ctx, `update ${t.name}`, async () => {
    const refreshing = t.refresh ? t.refresh() : Promise.resolve();
    const ms = await waitForPrefix(join(t.root, file.path), next.prefix, t0, ctx.opts.updateTimeoutMs);
    await refreshing;
    visible.values[t.name] = ms === null ? null : Math.round(ms) / 1000;
    if (ms === null) {
      visible.detail![t.name] = `not visible within ${ctx.opts.updateTimeoutMs / 1000} s`;
      notes.push(`${t.name}: new bytes not visible within ${ctx.opts.updateTimeoutMs / 1000} s (its own cache expiry is longer).`);
      return;
    }
    verified.values[t.name] = (await sha256File(join(t.root, file.path))) === next.sha256 ? 1 : 0;
    ctx.log(`update ${t.name}: visible after ${visible.values[t.name]} s, verified=${verified.values[t.name]}`);
  })));
  return {
    name: 'update',
    title: 'Update (one shard replaced)',
    description: `${file.path} (${file.size / 1024 ** 2} MiB) replaced with new random bytes; each target polls a fresh open every 200 ms for the new first ${next.prefix.length / 1024} KiB, then the whole file is hashed.`,
    metrics: [visible, verified],
    notes: [
      'Eddy: `eddy apply` of a Once DataLoad with loadMetadata: true, started right after the upload (what a cron DataLoad does on its next tick).',
      's3fs and rclone have no refresh trigger: they see the change when their stat/dir cache expires (s3fs stat_cache_expire, rclone --dir-cache-time 5m by default).',
      ...notes,
    ],
  };
}

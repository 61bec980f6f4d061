// The seed walkthrough end to end with real processes: the S3 test server as the bucket, the
// seed's manifests (mount rewritten to s3://), `eddy up` running master + worker + FUSE mount,
// and the `eddy` CLI for apply/get/describe, as a user would type them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnSync } from 'node:child_process';
import { startS3Server } from '@eddy/testkit';
import { formatBytes } from '@eddy/core';
import { seedDataLoadEvery, seedDatasetForS3, seedSecretForS3 } from './helpers/seed-manifests.js';
import { EddyProcess, REPO_ROOT, runEddy, eventually, forceUnmount, isMounted, CleanupStack } from '@eddy/test-cluster';

const cleanup = new CleanupStack();
after(async () => { await cleanup.run(); });

const tail1 = async (path: string): Promise<string> => (await promisify(execFile)('tail', ['-n', '1', path], { timeout: 10_000 })).stdout.trimEnd();

function field(describe: string, name: string): string {
  const m = new RegExp(`^ +${name}: +(\\S+)$`, 'm').exec(describe);
  assert.ok(m, `describe output has ${name}:\n${describe}`);
  return m[1]!;
}

test('seed walkthrough: Cron DataLoad caches the file, picks up an appended line, status advances', { timeout: 240_000 }, async () => {
  spawnSync(process.execPath, [join(REPO_ROOT, 'examples', 'generate-data.mjs')], { stdio: 'inherit' });
  const original = await readFile(join(REPO_ROOT, 'examples', 'data', 'RELEASENOTES.md'));
  assert.equal(original.length, 603_030);

  const s3 = await startS3Server();
  cleanup.add('s3 server', () => s3.close());
  const bucket = await s3.createBucket();
  await s3.client.putObject(bucket, 'RELEASENOTES.md', original);

  const dir = await mkdtemp(join(tmpdir(), 'eddy-seed-'));
  cleanup.add('temp dir', () => rm(dir, { recursive: true, force: true }));
  const target = { bucket, endpoint: s3.endpoint, region: s3.region, accessKey: s3.accessKey, secretKey: s3.secretKey };
  await writeFile(join(dir, 'mySecret.yaml'), seedSecretForS3(target));
  await writeFile(join(dir, 'dataset.yaml'), seedDatasetForS3(target));
  await writeFile(join(dir, 'dataload.yaml'), seedDataLoadEvery(5));
  const mnt = join(dir, 'data');
  const dataDir = join(dir, 'state');

  const up = new EddyProcess([
    'up', '-f', join(dir, 'mySecret.yaml'), '-f', join(dir, 'dataset.yaml'), '--mount', mnt, '--data-dir', dataDir,
    '--listen', '127.0.0.1:0', '-o', 'attr_timeout=1,entry_timeout=1,negative_timeout=1',
    // No --refresh-interval: the seed's dataload.yaml (no `loadMetadata`) must pick up the
    // changed object on its next tick by itself, since every run syncs metadata first.
  ]);
  cleanup.add('eddy up', async () => { await up.stop('SIGINT'); forceUnmount(mnt); });
  const address = (await up.waitForOutput(/master listening on (\S+)/, 30_000))[1]!;
  await up.waitForOutput(/Press Ctrl-C/, 60_000);
  const env = { EDDY_MASTER: address, EDDY_TOKEN_FILE: join(dataDir, 'admin-token') };
  const eddy = async (...args: string[]): Promise<string> => {
    const r = await runEddy(args, { env });
    assert.equal(r.code, 0, `eddy ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  const datasetJson = async (): Promise<{ status: { ufsTotalBytes: number; cacheStates: { cachedBytes: number } } }> =>
    JSON.parse(await eddy('get', 'dataset', 'demo', '-o', 'json')) as { status: { ufsTotalBytes: number; cacheStates: { cachedBytes: number } } };

  // Step 4: the exact size, nothing cached yet.
  const before = await eventually('the dataset listing', 30_000, async () => {
    const out = await eddy('get', 'dataset');
    return /588\.90KiB/.test(out) ? out : undefined;
  });
  const [header, row] = before.trimEnd().split('\n');
  assert.equal(header, 'NAME   UFS TOTAL SIZE   CACHED   CACHE CAPACITY   CACHED PERCENTAGE   PHASE   AGE');
  assert.match(row!, /^demo {3}588\.90KiB {8}0\.00B {4}2\.00GiB {10}0\.0% {16}Bound {3}\d+s$/);
  assert.equal((await datasetJson()).status.ufsTotalBytes, 603_030);

  // Steps 5-6: the Cron DataLoad (every 5 s here) caches everything.
  assert.equal(await eddy('apply', '-f', join(dir, 'dataload.yaml')), 'dataload.data.fluid.io/cron-dataload created\n');
  await eventually('CACHED 100.0%', 60_000, async () => {
    const out = await eddy('get', 'dataset');
    return /^demo +588\.90KiB +588\.90KiB +2\.00GiB +100\.0% +Bound/m.test(out) ? out : undefined;
  });
  assert.equal((await datasetJson()).status.cacheStates.cachedBytes, 603_030);
  const loads = await eddy('get', 'dataload');
  assert.match(loads, /^NAME {12}DATASET {3}PHASE {6}AGE +DURATION\ncron-dataload {3}demo {6}(Complete|Executing) /);
  const firstDescribe = await eventually('a successful run', 30_000, async () => {
    const out = await eddy('describe', 'dataload', 'cron-dataload');
    return /Last Successful Time:/.test(out) ? out : undefined;
  });
  const schedule1 = field(firstDescribe, 'Last Schedule Time');
  const success1 = field(firstDescribe, 'Last Successful Time');

  // Step 7: the application reads the file through the mount.
  assert.equal(await tail1(join(mnt, 'RELEASENOTES.md')), original.toString('utf8').trimEnd().split('\n').at(-1));

  // Step 8: a line is appended in the bucket; the next run caches the new version, the old is freed.
  const changed = Buffer.concat([original, Buffer.from('hello, crondataload.\n')]);
  await s3.client.putObject(bucket, 'RELEASENOTES.md', changed);
  const newSize = formatBytes(changed.length);
  await eventually('the new version cached', 90_000, async () => {
    const j = await datasetJson();
    return j.status.ufsTotalBytes === changed.length && j.status.cacheStates.cachedBytes === changed.length ? j : undefined;
  });
  const afterTable = await eddy('get', 'dataset');
  assert.match(afterTable, new RegExp(`^demo {3}${newSize.replace('.', '\\.')} +${newSize.replace('.', '\\.')} +2\\.00GiB +100\\.0% +Bound`, 'm'));
  await eventually('tail to show the new line', 30_000, async () => ((await tail1(join(mnt, 'RELEASENOTES.md'))) === 'hello, crondataload.' ? true : undefined));
  const secondDescribe = await eventually('lastSuccessfulTime to advance', 30_000, async () => {
    const out = await eddy('describe', 'dataload', 'cron-dataload');
    return Date.parse(field(out, 'Last Successful Time')) > Date.parse(success1) ? out : undefined;
  });
  assert.ok(Date.parse(field(secondDescribe, 'Last Schedule Time')) > Date.parse(schedule1));
  assert.match(secondDescribe, /^ {4}Type: +Complete$/m);
  assert.match(secondDescribe, /^ {2}Phase: +(Complete|Executing)$/m);

  // Ctrl-C: unmounted, everything stopped, exit 0.
  const stopped = await up.stop('SIGINT', 30_000);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.equal(await isMounted(mnt), false);
});

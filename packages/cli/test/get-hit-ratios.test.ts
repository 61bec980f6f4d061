// `eddy get dataset -o wide|json` against a real master that clients reported reads to: the ratios
// the master computes reach the table and the Fluid-shaped object through the typed Get resources.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { silentLogger } from '@eddy/core';
import { startMaster, type MasterHandle } from '@eddy/master';
import { createMasterClient } from '@eddy/protocol';
import { main } from '../src/main.js';
import type { CliIo } from '../src/cli-io.js';

const TOKEN = 'tok-ratios-5678';
let dir = '';
let master: MasterHandle;
let env: NodeJS.ProcessEnv = {};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-cli-ratios-'));
  await mkdir(join(dir, 'bucket'));
  await writeFile(join(dir, 'bucket', 'a.bin'), Buffer.alloc(4096, 1));
  await writeFile(join(dir, 'token'), `${TOKEN}\n`);
  master = await startMaster({ listen: '127.0.0.1:0', dataDir: join(dir, 'master'), token: TOKEN, logger: silentLogger() });
  env = { EDDY_MASTER: master.address, EDDY_TOKEN_FILE: join(dir, 'token') };
  const rpc = createMasterClient(master.address, { token: TOKEN });
  try {
    await rpc.apply({ manifests: `apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata: {name: demo}\nspec:\n  mounts: [{mountPoint: "file://${dir}/bucket"}]\n` });
    // Two mounts: 600 bytes from their own host, 200 from a remote worker, 200 from the bucket.
    await rpc.reportReads({ clientId: 'mount-a', reads: [{ dataset: 'demo', localBytes: 600, remoteBytes: 0, ufsBytes: 200 }] });
    await rpc.reportReads({ clientId: 'mount-b', reads: [{ dataset: 'demo', localBytes: 0, remoteBytes: 200, ufsBytes: 0 }] });
  } finally {
    rpc.close();
  }
});

after(async () => {
  await master.close();
  await rm(dir, { recursive: true, force: true });
});

async function eddy(args: string[]): Promise<string> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (s: string) => { out += s; return true; }, isTTY: false, columns: 200 },
    stderr: { write: (s: string) => { err += s; return true; } },
    stdin: Readable.from(['']),
    env,
    cwd: dir,
  };
  const code = await main(args, { io, signal: new AbortController().signal });
  assert.equal(code, 0, err);
  return out;
}

test('get dataset -o wide shows the cache hit ratio the master computed from the reports', async () => {
  const [header, row] = (await eddy(['get', 'dataset', '-o', 'wide'])).trimEnd().split('\n').map((l) => l.trim().split(/\s{2,}/));
  assert.equal(row![header!.indexOf('CACHE HIT RATIO')], '80.0%');
  assert.equal(row![header!.indexOf('TOTAL FILES')], '1');
});

test('get dataset -o json carries every ratio, the windows and the bytes by source', async () => {
  const obj = JSON.parse(await eddy(['get', 'dataset', 'demo', '-o', 'json'])) as { status: { cacheStates: Record<string, unknown> } };
  const c = obj.status.cacheStates;
  assert.deepEqual(
    [c['cacheHitRatio'], c['localHitRatio'], c['remoteHitRatio'], c['cacheThroughputRatio'], c['localThroughputRatio'], c['remoteThroughputRatio']],
    [0.8, 0.6, 0.2, 0.8, 0.6, 0.2],
  );
  assert.equal(c['cacheHitRatioPercentage'], '80.0%');
  assert.deepEqual([c['hitRatioWindowSeconds'], c['throughputWindowSeconds']], [60, 10]);
  assert.deepEqual([c['bytesReadLocal'], c['bytesReadRemote'], c['bytesReadUfs']], [600, 200, 200]);
});

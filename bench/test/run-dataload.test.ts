// The bench's DataLoad runner (src/run-dataload.ts) against a real master and worker (file://
// dataset): a load that completes reports the DataLoad's own duration and bytes, a failed one is a
// DataLoadFailedError with the master's reason, a `check` that throws ends the wait, and the
// namespace child (dataload-child.js) prints the same outcome. No timing is asserted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcCluster, type ProcCluster } from '@eddy/test-cluster';
import { createMasterClient } from '@eddy/protocol/rpc';
import { onceDataLoadManifest } from '@eddy/testkit';
import { run } from '../src/exec.js';
import { DataLoadFailedError, runDataLoad, type DataLoadOutcome } from '../src/run-dataload.js';

const TOKEN = 'bench-run-dataload-token';
const DATA = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
const CHILD = join(dirname(fileURLToPath(import.meta.url)), '..', 'dataload-child.js');

let c: ProcCluster;
before(async () => { c = await startProcCluster({ token: TOKEN, files: { 'a.bin': DATA, 'b.bin': DATA, 'c.bin': DATA }, blockSize: '1Mi' }); });
after(async () => { await c?.close(); });

function options(name: string, path: string): Parameters<typeof runDataLoad>[0] {
  return { masterAddress: c.masterAddress, token: TOKEN, name, manifest: onceDataLoadManifest(name, 'demo', [path]), timeoutMs: 120_000 };
}

test('runDataLoad: applies, polls in-process, and returns the DataLoad\'s own duration and bytes', { timeout: 180_000 }, async () => {
  const outcome = await runDataLoad(options('load-a', '/a.bin'));
  assert.ok(Number.isFinite(outcome.durationMs) && outcome.durationMs >= 0, `durationMs ${outcome.durationMs}`);
  assert.equal(outcome.bytesFetched, DATA.length);
  assert.ok(outcome.polls >= 1);
  const status = createMasterClient(c.masterAddress, { token: TOKEN });
  try {
    const res = await status.get({ kind: 'DataLoad', name: 'load-a' }, { timeoutMs: 10_000 });
    assert.equal(res.resources[0]?.dataload?.status?.phase, 'Complete');
    assert.equal(Number(res.resources[0]?.dataload?.status?.durationMs), outcome.durationMs);
  } finally {
    status.close();
  }
});

test('runDataLoad: a DataLoad that fails rejects with DataLoadFailedError and the master\'s reason', { timeout: 180_000 }, async () => {
  await assert.rejects(runDataLoad(options('load-missing', '/missing.bin')), (err: unknown) => {
    assert.ok(err instanceof DataLoadFailedError, String(err));
    assert.match(err.message, /load-missing failed: .*missing\.bin/);
    return true;
  });
});

test('runDataLoad: a check that throws (a cluster process exited) ends the wait with its error', { timeout: 180_000 }, async () => {
  const gone = new Error('worker exited');
  await assert.rejects(runDataLoad({ ...options('load-checked', '/b.bin'), check: () => { throw gone; } }), (err: unknown) => err === gone);
});

test('dataload-child: runs the DataLoad from its own process and prints the outcome as JSON', { timeout: 180_000 }, async () => {
  const r = await run(process.execPath, [CHILD], { input: JSON.stringify(options('load-child', '/c.bin')), timeoutMs: 170_000 });
  const outcome = JSON.parse(r.stdout.trim()) as DataLoadOutcome;
  assert.ok(Number.isFinite(outcome.durationMs));
  assert.equal(outcome.bytesFetched, DATA.length);
  const failed = await run(process.execPath, [CHILD], { input: JSON.stringify(options('load-child-missing', '/nope')), timeoutMs: 170_000, check: false });
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /load-child-missing failed/);
});

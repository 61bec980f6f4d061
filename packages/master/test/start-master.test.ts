// startMaster's edge: options resolved against MASTER_DEFAULTS with exact messages, and its
// lifecycle with an AbortSignal (abort closes, close stays idempotent, no listener left behind).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortedError, ValidationError, silentLogger } from '@eddy/core';
import { createMasterClient } from '@eddy/protocol';
import { waitFor } from '@eddy/testkit';
import { MASTER_DEFAULTS, resolveMasterOptions, startMaster } from '../src/index.js';

const base = { dataDir: '/tmp/unused', token: 't', logger: silentLogger() };

test('options: defaults come from MASTER_DEFAULTS, derived values follow the worker timeout', () => {
  const o = resolveMasterOptions(base);
  for (const [k, v] of Object.entries(MASTER_DEFAULTS)) assert.equal(o[k as keyof typeof MASTER_DEFAULTS], v, k);
  assert.equal(o.sweepIntervalMs, 1000);
  assert.equal(o.startupWorkerWaitMs, MASTER_DEFAULTS.workerTimeoutMs);
  const fast = resolveMasterOptions({ ...base, heartbeatIntervalMs: 100, workerTimeoutMs: 120 });
  assert.equal(fast.sweepIntervalMs, 50);
});

test('options: bad values are ValidationErrors naming the option', () => {
  const bad: Array<[Partial<Parameters<typeof resolveMasterOptions>[0]>, string, RegExp]> = [
    [{ listen: 'nope' }, 'listen', /listen must be HOST:PORT/],
    [{ dataDir: '' }, 'dataDir', /dataDir is required/],
    [{ heartbeatIntervalMs: 0 }, 'heartbeatIntervalMs', /must be a positive number of milliseconds, got 0/],
    [{ heartbeatIntervalMs: 2000, workerTimeoutMs: 2000 }, 'workerTimeoutMs', /workerTimeoutMs \(2000\) must be larger than/],
    [{ dataLoadConcurrency: 1.5 }, 'dataLoadConcurrency', /must be a positive integer, got 1.5/],
    [{ namespaceRefreshIntervalMs: -1 }, 'namespaceRefreshIntervalMs', /must be a non-negative number/],
  ];
  for (const [over, field, message] of bad) {
    const named = (e: unknown): boolean => e instanceof ValidationError && e.field === field && message.test(e.message);
    assert.throws(() => resolveMasterOptions({ ...base, ...over }), named, field);
  }
});

test('startMaster: an aborted signal stops a running master, close() stays idempotent, no listener is left', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'eddy-master-signal-'));
  try {
    await assert.rejects(startMaster({ ...base, dataDir, listen: '127.0.0.1:0', signal: AbortSignal.abort() }), AbortedError);

    const ac = new AbortController();
    const master = await startMaster({ ...base, dataDir, listen: '127.0.0.1:0', signal: ac.signal });
    assert.equal(getEventListeners(ac.signal, 'abort').length, 1);
    const cli = createMasterClient(master.address, { token: 't' });
    assert.deepEqual((await cli.listWorkers({ runtime: '' })).workers, []);
    cli.close();
    ac.abort();
    await waitFor(() => getEventListeners(ac.signal, 'abort').length === 0, { what: 'the abort listener removed' });
    await master.close();
    await master.close();

    // Closed by hand: the listener goes too, and a later abort does nothing.
    const ac2 = new AbortController();
    const again = await startMaster({ ...base, dataDir, listen: '127.0.0.1:0', signal: ac2.signal });
    await again.close();
    assert.equal(getEventListeners(ac2.signal, 'abort').length, 0);
    ac2.abort();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

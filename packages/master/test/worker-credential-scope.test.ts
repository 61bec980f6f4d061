// A worker credential scoped to runtimes (`datasets=`) heartbeats only workers registered under
// those runtimes: a heartbeat names only the worker id, so the master checks the registered
// worker's runtime (the role table checks RegisterWorker's runtime and the `workers=` binding).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EddyError, silentLogger } from '@eddy/core';
import { createMasterClient } from '@eddy/protocol';
import { startMaster } from '../src/index.js';

test('a heartbeat for a worker of another runtime is PERMISSION_DENIED; its own runtime\'s workers still heartbeat', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'eddy-worker-scope-'));
  const master = await startMaster({
    listen: '127.0.0.1:0', dataDir, logger: silentLogger(),
    credentials: {
      admin: [{ token: 'admin-0123456789' }],
      worker: [{ token: 'demo-w-0123456789', datasets: ['demo'] }, { token: 'other-w-0123456789', datasets: ['other'] }],
    },
  });
  const demo = createMasterClient(master.address, { token: 'demo-w-0123456789' });
  const other = createMasterClient(master.address, { token: 'other-w-0123456789' });
  try {
    const address = { workerId: 'w1', hostId: 'h', grpcAddress: '127.0.0.1:1', dataAddress: '127.0.0.1:1' };
    await demo.registerWorker({ workerId: 'w1', runtime: 'demo', address, tiers: [], blockKeys: [] });
    const beat = { workerId: 'w1', added: [], removed: [], tiers: [] };
    await assert.rejects(other.heartbeat(beat),
      (e: unknown) => e instanceof EddyError && e.code === 'PERMISSION_DENIED' && /not allowed runtime "demo"/.test(e.message));
    assert.equal((await demo.heartbeat(beat)).reregister, false, 'the worker\'s own credential still heartbeats');
  } finally {
    demo.close();
    other.close();
    await master.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

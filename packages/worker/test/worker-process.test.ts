// The worker process: standalone gRPC service (LoadBlocks/FreeBlocks/GetStats) + data channel,
// and the master session (register with a full report, heartbeats with deltas, free/reregister
// commands, tiers from the Runtime, retry while the master is down, stop by signal) against a fake
// master speaking the real Master gRPC service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from 'node:net';
import { AbortedError, parseHostPort, UnauthenticatedError, UnavailableError } from '@eddy/core';
import { fileVersion } from '@eddy/ufs';
import { DataChannelClient, createWorkerClient } from '@eddy/protocol';
import { freePort, waitFor } from '@eddy/testkit';
import { startWorker } from '../src/index.js';
import { FAKE_MASTER_TOKEN, bytesFor, fakeMaster, refsFor, tempDir, type FakeMaster } from './helpers.js';

const BS = 512 * 1024;
const TOKEN = FAKE_MASTER_TOKEN;

async function fixture() {
  const ufsDir = await tempDir('eddy-ufs-');
  const tier = await tempDir();
  const data = bytesFor('proc', 3 * BS + 99);
  await writeFile(join(ufsDir.path, 'm.bin'), data);
  const version = fileVersion(await stat(join(ufsDir.path, 'm.bin'), { bigint: true }));
  return { ufsDir, tier, data, refs: refsFor('/m.bin', version, data.length, BS), async cleanup() { await ufsDir.cleanup(); await tier.cleanup(); } };
}

test('standalone worker: LoadBlocks, data channel reads, FreeBlocks, GetStats, idempotent close', async () => {
  const f = await fixture();
  const w = await startWorker({
    runtime: 'demo', listen: '127.0.0.1:0', token: TOKEN, fsync: false,
    tiers: [{ medium: 'MEM', path: f.tier.path, quotaBytes: 16 * BS, high: 0.95, low: 0.8 }],
    mounts: { ds: { mounts: [{ url: `file://${f.ufsDir.path}`, path: '/', options: {} }], blockSize: BS } },
  });
  const rpc = createWorkerClient(w.grpcAddress, { token: TOKEN });
  const bad = createWorkerClient(w.grpcAddress, { token: 'wrong' });
  const dc = new DataChannelClient(w.dataAddress, { token: TOKEN });
  try {
    const r1 = await rpc.loadBlocks({ blocks: [f.refs[0]!, f.refs[3]!, refsFor('/gone.bin', 'x', 10, BS)[0]!] });
    assert.deepEqual(r1.results.map((r) => [r.ok, r.bytesFetched]), [[true, BS], [true, 99], [false, 0]]);
    assert.equal(r1.results[2]!.errorCode, 'NOT_FOUND');
    const r2 = await rpc.loadBlocks({ blocks: [f.refs[0]!] });
    assert.equal(r2.results[0]!.bytesFetched, 0, 'already cached costs nothing');
    const all = await Promise.all(f.refs.map((r) => dc.readBlock(r, 0, BS)));
    assert.ok(Buffer.concat(all).equals(f.data));
    // Read-through blocks are committed just after their last byte is sent.
    await waitFor(() => w.store.blockCount === 4, { what: 'read-through blocks stored' });
    const stats = await rpc.getStats({});
    assert.equal(stats.blockCount, 4);
    assert.equal(stats.tiers[0]!.usedBytes, f.data.length);
    assert.ok(stats.counters!.hits >= 2 && stats.counters!.misses >= 2);
    assert.equal(stats.counters!.ufsBytesRead, f.data.length);
    assert.equal((await rpc.freeBlocks({ keys: [f.refs[0]!.key, 'nokey'] })).freed, 1);
    assert.equal(w.store.has(f.refs[0]!.key), false);
    await assert.rejects(bad.getStats({}), UnauthenticatedError);
  } finally {
    rpc.close(); bad.close();
    await dc.close();
    await w.close();
    await w.close();
    await f.cleanup();
  }
});

test('with a master: survives it being down, registers a full report, heartbeats deltas, obeys free/pin/unpin/reregister', async () => {
  const f = await fixture();
  const port = await freePort();
  const mounts = [{ url: `file://${f.ufsDir.path}`, path: '/', options: {} }];
  const w = await startWorker({
    masterAddress: `127.0.0.1:${port}`, runtime: 'demo', listen: '127.0.0.1:0', token: TOKEN, fsync: false, heartbeatIntervalMs: 100,
    tiers: [{ medium: 'MEM', path: f.tier.path, quotaBytes: 16 * BS, high: 0.95, low: 0.8 }],
  });
  let m: FakeMaster | undefined;
  const dc = new DataChannelClient(w.dataAddress, { token: TOKEN });
  try {
    // Master down: the worker is up; a read needing mounts from the master fails typed, quickly.
    await assert.rejects(dc.readBlock(f.refs[0]!, 0, 10, { timeoutMs: 20_000 }), (e: { code?: string }) => ['UNAVAILABLE', 'UNREACHABLE', 'TIMEOUT'].includes(e.code ?? ''));
    assert.equal(w.masterLink!.registered, false);
    m = await fakeMaster(port, { mounts, blockSize: BS });
    await waitFor(() => m!.registers.length > 0, { timeoutMs: 15_000, what: 'registration' });
    const reg = m.registers[0]!;
    assert.equal(reg.runtime, 'demo');
    assert.equal(reg.address!.dataAddress, w.dataAddress);
    assert.equal(reg.address!.grpcAddress, w.grpcAddress);
    assert.equal(reg.tiers[0]!.medium, 'MEM');
    // A read through the data channel: mounts now come from the master.
    const b = await dc.readBlock(f.refs[0]!, 0, BS);
    assert.ok(b.equals(f.data.subarray(0, BS)));
    await waitFor(() => m!.heartbeats.some((h) => h.added.includes(f.refs[0]!.key)), { what: 'added delta' });
    const hb = m.heartbeats.find((h) => h.added.includes(f.refs[0]!.key))!;
    assert.ok(hb.counters!.misses >= 1);
    assert.ok(hb.tiers[0]!.usedBytes >= BS);
    // Loads come as LoadBlocks calls (the master's one load path); a free rides the heartbeat reply.
    const rpc = createWorkerClient(w.grpcAddress, { token: TOKEN });
    const loaded = await rpc.loadBlocks({ blocks: [f.refs[1]!, f.refs[2]!] }).finally(() => rpc.close());
    assert.deepEqual(loaded.results.map((r) => r.ok), [true, true]);
    assert.ok(w.store.has(f.refs[1]!.key) && w.store.has(f.refs[2]!.key));
    m.next.push({ free: [f.refs[0]!.key] });
    await waitFor(() => m!.heartbeats.some((h) => h.removed.includes(f.refs[0]!.key)), { what: 'removed delta' });
    assert.equal(w.store.has(f.refs[0]!.key), false);
    // Pins ride the heartbeat reply too (a mount still reads that version: never evicted).
    m.next.push({ pin: [f.refs[1]!.key, f.refs[2]!.key] });
    await waitFor(() => w.store.pinnedCount === 2, { what: 'pinned' });
    m.next.push({ unpin: [f.refs[2]!.key] });
    await waitFor(() => w.store.pinnedCount === 1, { what: 'unpinned' });
    // Master restart: reregister → a full report of what the worker holds (and no pins until told again).
    m.next.push({ reregister: true });
    await waitFor(() => m!.registers.length >= 2, { what: 're-registration' });
    await waitFor(() => w.store.pinnedCount === 0, { what: 'pins cleared by the new registration' });
    assert.deepEqual(m.registers[1]!.blockKeys.slice().sort(), [f.refs[1]!.key, f.refs[2]!.key].sort());
  } finally {
    await dc.close();
    await w.close();
    await m?.stop();
    await f.cleanup();
  }
});

test('with a master: tiers come from the Runtime when not given', async () => {
  const f = await fixture();
  const port = await freePort();
  const runtime = { blockSize: BS, tiers: [{ medium: 'SSD', path: f.tier.path, quotaBytes: 8 * 1024 * 1024, usedBytes: 0, high: 0.9, low: 0.5 }] };
  const m = await fakeMaster(port, { runtime, blockSize: BS });
  const w = await startWorker({ masterAddress: m.address, runtime: 'demo', listen: '127.0.0.1:0', token: TOKEN, fsync: false });
  try {
    assert.deepEqual(w.store.tierInfo().map((t) => [t.medium, t.path, t.quotaBytes, t.high, t.low]), [['SSD', f.tier.path, 8 * 1024 * 1024, 0.9, 0.5]]);
    await waitFor(() => m.registers.some((r) => r.address?.dataAddress === w.dataAddress), { what: 'full registration' });
    assert.ok(m.registers.every((r) => r.workerId === w.workerId), 'one worker id throughout');
  } finally {
    await w.close();
    await m.stop();
    await f.cleanup();
  }
});

test('with a master that refuses the credential: the start fails at once with the typed error, no retrying forever', async () => {
  const f = await fixture();
  const port = await freePort();
  const m = await fakeMaster(port, { runtime: { blockSize: BS, tiers: [] }, blockSize: BS });
  try {
    await assert.rejects(startWorker({ masterAddress: m.address, runtime: 'demo', listen: '127.0.0.1:0', token: 'not-the-token', fsync: false }), UnauthenticatedError);
  } finally {
    await m.stop();
    await f.cleanup();
  }
});

test('aborting the signal stops a worker still waiting for a master nobody listens on', async () => {
  const port = await freePort();
  const stop = new AbortController();
  const warnings: string[] = [];
  // No tiers: the worker waits for the master's Runtime, retrying with backoff.
  const starting = startWorker({ masterAddress: `127.0.0.1:${port}`, runtime: 'demo', listen: '127.0.0.1:0', token: TOKEN, signal: stop.signal });
  const onWarning = (w: Error): void => { warnings.push(w.name); };
  process.on('warning', onWarning);
  try {
    // Long enough for a few attempts (and their backoff sleeps) to be in the past.
    await new Promise((r) => setTimeout(r, 1_500));
    stop.abort();
    // A bound far above "promptly", only so that a hang fails with a message instead of the test timeout.
    let bound: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      starting.then(() => 'started', (err: unknown) => err),
      new Promise((r) => { bound = setTimeout(() => r('still waiting 5 s after the abort'), 5_000); }),
    ]);
    clearTimeout(bound);
    assert.ok(outcome instanceof AbortedError, `expected AbortedError, got ${String(outcome)}`);
    await assert.rejects(startWorker({ runtime: 'demo', listen: '127.0.0.1:0', token: TOKEN, signal: stop.signal }), AbortedError);
    assert.deepEqual(warnings, []);
  } finally {
    process.off('warning', onWarning);
  }
});

test('aborting the signal of a running worker closes it', async () => {
  const f = await fixture();
  const stop = new AbortController();
  const w = await startWorker({
    runtime: 'demo', listen: '127.0.0.1:0', token: TOKEN, fsync: false, signal: stop.signal,
    tiers: [{ medium: 'MEM', path: f.tier.path, quotaBytes: 16 * BS, high: 0.95, low: 0.8 }],
  });
  try {
    stop.abort();
    const { host, port } = parseHostPort(w.dataAddress);
    await waitFor(() => new Promise<boolean>((resolve) => {
      const s = connect(port, host);
      s.once('connect', () => { s.destroy(); resolve(false); });
      s.once('error', () => resolve(true));
    }), { what: 'data channel closed' });
    await assert.rejects(w.store.put(f.refs[0]!.key, Buffer.alloc(10)), UnavailableError);
  } finally {
    await w.close();
    await f.cleanup();
  }
});

test('a tier directory that cannot be created fails the start with a typed error naming the cause', async () => {
  await assert.rejects(startWorker({
    runtime: 'demo', listen: '127.0.0.1:0', token: TOKEN,
    tiers: [{ medium: 'SSD', path: '/dev/null/eddy-tier', quotaBytes: 1 << 20, high: 0.95, low: 0.7 }],
  }), (err: Error) => err instanceof UnavailableError && /ENOTDIR/.test(err.message));
});

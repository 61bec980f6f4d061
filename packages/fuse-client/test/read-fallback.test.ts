// The read path's source order and failover through a real FUSE mount: short-circuit local
// blocks, holders, the preferred worker, the bucket; a worker dying mid-read is skipped; a
// version gone everywhere is EIO, never other bytes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, NoSpaceError, NotFoundError, silentLogger, UnreachableError } from '@eddy/core';
import { type proto } from '@eddy/protocol';
import { mountDataset, type MountHandle } from '../src/index.js';
import type { DataChannel } from '../src/read-path/sources.js';
import { startFakeMaster, type FakeMaster } from './fake-master.js';
import { forceUnmount, sh, sha256, sha256Of } from './helpers.js';

const MiB = 1 << 20;
const BS = MiB;

describe('read path failover', () => {
  const root = mkdtempSync(join(tmpdir(), 'eddy-fuse-'));
  const bucket = join(root, 'bucket');
  const blocks = join(root, 'blocks');
  const mnt = join(root, 'mnt');
  const data = new Map<string, Buffer>();
  const served = new Map<string, number>();
  let failAfter = new Map<string, number>();
  /** Blocks the local preferred worker ('near') was asked to FETCH, and those it stored. */
  const fetchCalls = new Map<string, number>();
  const stored = new Set<string>();
  let master: FakeMaster;
  let handle: MountHandle | undefined;

  const worker = (id: string, hostId: string): proto.WorkerAddress => ({ workerId: id, dataAddress: `${id}:7000`, hostId, grpcAddress: '' });

  function fakeChannel(address: string): DataChannel {
    return {
      readBlock: async (ref, offset, length) => {
        const n = (served.get(address) ?? 0) + 1;
        served.set(address, n);
        const limit = failAfter.get(address) ?? Infinity;
        if (n > limit) throw new UnreachableError(`${address}: connection reset`);
        const bytes = data.get(ref.path!);
        if (!bytes) throw new NotFoundError(`no block ${ref.key}`);
        const start = Number(ref.index) * BS + offset;
        return Buffer.from(bytes.subarray(start, start + length));
      },
      fetchBlock: async (ref) => {
        fetchCalls.set(ref.key!, (fetchCalls.get(ref.key!) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 20)); // the slices of a block arrive while it is fetched
        if (ref.path === '/nospace.bin') throw new NoSpaceError('no tier has room');
        stored.add(ref.key!);
        return BS;
      },
      openLocal: async (ref) => {
        const bytes = data.get(ref.path!);
        if (!bytes) return null;
        if (address === 'near:7000' && !stored.has(ref.key!)) return null;
        const p = join(blocks, `${ref.key!}.00000000`);
        writeFileSync(p, bytes.subarray(Number(ref.index) * BS, (Number(ref.index) + 1) * BS));
        return { path: p, release: () => undefined };
      },
      close: () => undefined,
    };
  }

  before(async () => {
    mkdirSync(bucket, { recursive: true });
    mkdirSync(blocks, { recursive: true });
    for (const [name, size] of [['remote.bin', 12 * BS + 5], ['local.bin', 5 * BS + 1], ['gone.bin', 6 * BS], ['cached-only.bin', 3 * BS], ['fetch.bin', 6 * BS + 7], ['nospace.bin', 3 * BS]] as const) {
      const b = randomBytes(size);
      data.set(`/${name}`, b);
      writeFileSync(join(bucket, name), b);
    }
    master = await startFakeMaster({
      dataset: 'demo', url: `file://${bucket}`, blockSize: BS,
      locate: (path) => {
        if (path === '/local.bin') return { holders: [worker('local', 'this-host')] };
        if (path === '/fetch.bin' || path === '/nospace.bin') return { holders: [], preferred: worker('near', 'this-host') };
        return { holders: [worker('a', 'other-host')], preferred: worker('b', 'other-host') };
      },
      // The local workers' registered tier directory: where their block files may be opened.
      workers: ['local', 'near'].map((id) => ({
        address: worker(id, 'this-host'), runtime: 'demo', live: true,
        tiers: [{ medium: 'MEM', path: realpathSync(blocks), quotaBytes: 64 * BS, usedBytes: 0, high: 0.95, low: 0.7 }],
      })),
    });
    handle = await mountDataset({
      masterAddress: master.address, dataset: 'demo', mountpoint: mnt, token: master.token, directUfs: true, logger: process.env['DBG'] ? createLogger('t', { level: 'debug' }) : silentLogger(),
      hostId: 'this-host', dataChannelFactory: fakeChannel,
    });
  });

  after(async () => {
    await handle?.close();
    await forceUnmount(mnt);
    await master?.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('a block on a worker of this host is read from its file (short-circuit)', async () => {
    assert.equal(await sha256Of(join(mnt, 'local.bin')), sha256(data.get('/local.bin')!));
    assert.ok(handle!.readStats.local >= 6, JSON.stringify(handle!.readStats));
    assert.equal(handle!.readStats.ufs, 0);
  });

  test('an uncached block whose preferred worker is on this host is fetched there once and read from its file', async () => {
    const before = { ...handle!.readStats };
    const streamedBefore = served.get('near:7000') ?? 0;
    assert.equal(await sha256Of(join(mnt, 'fetch.bin')), sha256(data.get('/fetch.bin')!));
    const s = handle!.readStats;
    // Six whole blocks are fetched; the 7-byte tail block is below the size worth a FETCH and is streamed.
    assert.equal(fetchCalls.size, 6, `one FETCH per block: ${JSON.stringify([...fetchCalls.values()])}`);
    assert.ok([...fetchCalls.values()].every((n) => n === 1), `the slices of a block share one FETCH: ${JSON.stringify([...fetchCalls.values()])}`);
    assert.equal((served.get('near:7000') ?? 0) - streamedBefore, 1, 'only the tail block streamed over the data channel');
    assert.ok(s.fetchedLocal + s.local - before.fetchedLocal - before.local >= 6, JSON.stringify(s));
    assert.equal(s.ufs, before.ufs);
  });

  test('a worker that cannot store the block (NO_SPACE) streams it instead', async () => {
    const before = { ...handle!.readStats };
    const streamedBefore = served.get('near:7000') ?? 0;
    assert.equal(await sha256Of(join(mnt, 'nospace.bin')), sha256(data.get('/nospace.bin')!));
    assert.ok((served.get('near:7000') ?? 0) > streamedBefore, 'streamed from the preferred worker');
    assert.equal(handle!.readStats.ufs, before.ufs, 'not from the bucket');
    assert.equal(handle!.readStats.workerFailures, before.workerFailures, 'a typed NO_SPACE does not take the worker out of rotation');
  });

  test('the holder dies mid-read, the preferred worker is down: another live worker reads the rest through, not the bucket', async () => {
    failAfter = new Map([['a:7000', 4], ['b:7000', 0]]);
    const before = { ...handle!.readStats };
    assert.equal(await sha256Of(join(mnt, 'remote.bin')), sha256(data.get('/remote.bin')!));
    const s = handle!.readStats;
    assert.ok(s.worker - before.worker >= 4, JSON.stringify(s));
    assert.ok(s.workerFailures - before.workerFailures >= 2, JSON.stringify(s));
    assert.ok(s.preferred - before.preferred > 0, `read through by a live worker: ${JSON.stringify(s)}`);
    assert.equal(s.ufs, before.ufs, 'the bucket is the last resort, after every live worker');
  });

  test('a version gone from the bucket is still served while a worker has its blocks', async () => {
    failAfter = new Map();
    served.clear();
    await new Promise((r) => setTimeout(r, 6500)); // let the failed workers' 5 s cooldown pass
    assert.equal((await sh('stat', [join(mnt, 'cached-only.bin')])).code, 0); // the client now knows this version
    unlinkSync(join(bucket, 'cached-only.bin'));
    assert.equal(await sha256Of(join(mnt, 'cached-only.bin')), sha256(data.get('/cached-only.bin')!));
  });

  test('a pinned version gone everywhere is EIO, never other bytes', async () => {
    // The worker loses the blocks (NotFound) and the object is replaced in the bucket.
    assert.equal((await sh('stat', [join(mnt, 'gone.bin')])).code, 0);
    data.delete('/gone.bin');
    writeFileSync(join(bucket, 'gone.bin'), randomBytes(6 * BS));
    const r = await sh('cat', [join(mnt, 'gone.bin')]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Input\/output error/);
  });
});

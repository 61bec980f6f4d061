// The read path without FUSE: the real DatasetBlockSource, ShortCircuit, PinnedVersion and
// ChannelPool over interface-typed fakes of the master's locator, the workers' data channels and
// the bucket. Checks which source serves which read, the FETCH decision and failover.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statfsSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { blockKey, NotFoundError, silentLogger, UnreachableError } from '@eddy/core';
import type { proto } from '@eddy/protocol';
import { MOUNT_DEFAULTS } from '../src/mount-options.js';
import { DatasetBlockSource } from '../src/read-path/block-source.js';
import { ChannelPool } from '../src/read-path/channel-pool.js';
import { selectHolders } from '../src/read-path/holders.js';
import { PinnedVersion, type BlockPlace } from '../src/read-path/pinned-version.js';
import { ReadaheadBudget } from '../src/read-path/readahead-budget.js';
import type { BlockLocator, DataChannel, ListedLocator, ReadMeter, UfsSource } from '../src/read-path/sources.js';
import { FastReads, type FastReadTable, type FastRemoved } from '../src/read-path/fast-reads.js';
import type { ReadBlockFile } from '../src/read-path/small-block-files.js';

// The patched fuse-native's reader of small block files (fuse-native.c), next to Node's fs calls.
const nativeReadBlockFile: ReadBlockFile | undefined = createRequire(import.meta.url)('fuse-native').readBlockFile;

const MiB = 1 << 20;
const BS = 4 * MiB;
const HOST = 'this-host';

const worker = (id: string, hostId: string): proto.WorkerAddress__Output =>
  ({ workerId: id, dataAddress: `${id}:7000`, hostId, grpcAddress: '' });

interface Where { holders: proto.WorkerAddress__Output[]; preferred?: proto.WorkerAddress__Output }

interface Shared {
  dir: string;
  files: Map<string, Buffer>;
  where: Map<string, Where>;
  calls: { readBlock: string[]; fetchBlock: string[]; openLocal: string[]; ufs: number; locate: number };
  /** Block keys stored by a FETCH (so their files exist afterwards). */
  stored: Set<string>;
  failing: Set<string>;
}

/** A worker's data channel over the shared state: blocks of `files`, local files for what it holds or stored. */
function fakeChannel(address: string, s: Shared): DataChannel {
  const { dir, files, where, calls, stored, failing } = s;
  return {
    readBlock: async (ref, offset, length, options) => {
      calls.readBlock.push(address);
      // Like DataChannelClient: a listener on the caller's signal while the read is in flight.
      const onAbort = (): void => undefined;
      options?.signal?.addEventListener('abort', onAbort);
      await new Promise((r) => setImmediate(r));
      options?.signal?.removeEventListener('abort', onAbort);
      if (failing.has(address)) throw new UnreachableError(`${address}: reset`);
      const data = files.get(ref.path!);
      if (!data) throw new NotFoundError(`no block ${ref.key}`);
      // Like a worker's READ_HEADER: from a tier when it holds the block, else read through.
      const holds = where.get(ref.path!)?.holders.some((h) => h.dataAddress === address) || stored.has(ref.key!);
      options?.onSource?.(holds ? 'cache' : 'ufs');
      const start = Number(ref.index) * BS + offset;
      return Buffer.from(data.subarray(start, start + length));
    },
    fetchBlock: async (ref) => {
      calls.fetchBlock.push(ref.key!);
      stored.add(ref.key!);
      return BS;
    },
    openLocal: async (ref) => {
      calls.openLocal.push(address);
      const w = where.get(ref.path!);
      const holds = w?.holders.some((h) => h.dataAddress === address) || stored.has(ref.key!);
      if (!holds || failing.has(address)) return null;
      const p = join(dir, `${ref.key!}.00000000`);
      const data = files.get(ref.path!)!;
      writeFileSync(p, data.subarray(Number(ref.index) * BS, (Number(ref.index) + 1) * BS));
      return { path: p, release: () => undefined };
    },
    close: () => undefined,
  };
}

/**
 * A little cluster in memory: files, where the master says their blocks are, what workers do.
 * `shortCircuitMinBytes`: 0 makes every block eligible for short-circuit reads (the tests of that
 * mechanism), the default streams small blocks as a mount does.
 */
function world(o: { shortCircuitMinBytes?: number; root?: string; fast?: FastReads; rootsKnown?: boolean; readBlockFile?: ReadBlockFile } = {}) {
  const { root = tmpdir(), fast, rootsKnown = true, readBlockFile, ...tunables } = o;
  const dir = mkdtempSync(join(root, 'eddy-block-source-'));
  const files = new Map<string, Buffer>();
  const where = new Map<string, Where>();
  const calls = { readBlock: [] as string[], fetchBlock: [] as string[], openLocal: [] as string[], ufs: 0, locate: 0 };
  /** Block keys stored by a FETCH (so their files exist afterwards). */
  const stored = new Set<string>();
  const failing = new Set<string>();

  const locator: BlockLocator = {
    getBlockLocations: async (req) => {
      calls.locate++;
      const data = files.get(req.path!)!;
      const first = Math.floor(Number(req.offset) / BS);
      const last = Math.floor((Math.min(data.length, Number(req.offset) + Number(req.length)) - 1) / BS);
      const blocks: proto.BlockLocation__Output[] = [];
      for (let i = first; i <= last; i++) {
        const w = where.get(req.path!) ?? { holders: [] };
        const key = blockKey('d', req.path!, 'v1', i, BS);
        blocks.push({ index: i, key, length: BS, holders: w.holders, preferred: w.preferred ?? null });
      }
      return { info: null, blockSize: BS, blocks };
    },
  };

  const ufs: UfsSource = {
    read: async (path, offset, length) => {
      calls.ufs++;
      return Buffer.from(files.get(path)!.subarray(offset, offset + length));
    },
    close: async () => undefined,
  };

  const shared: Shared = { dir, files, where, calls, stored, failing };
  /** What the read path metered: bytes by source, bucket requests and errors, FETCHes, failed workers. */
  const metered = { local: 0, remote: 0, ufs: 0, bucketReads: 0, bucketErrors: 0, fetches: 0, workerFailures: 0 };
  const meter: ReadMeter = {
    read: (source, bytes) => { metered[source] += bytes; },
    bucketRead: (err) => { metered.bucketReads++; if (err !== undefined) metered.bucketErrors++; },
    fetch: () => { metered.fetches++; },
    workerFailed: () => { metered.workerFailures++; },
  };
  const channels = new ChannelPool((address) => fakeChannel(address, shared), MOUNT_DEFAULTS.workerCooldownMs);
  const source = new DatasetBlockSource({
    ...MOUNT_DEFAULTS, ...tunables, channels, ufs, meter, hostId: HOST, logger: silentLogger(), budget: new ReadaheadBudget(64 * MiB),
    tierRoots: { rootsOf: async () => [realpathSync(dir)], rootsNow: () => (rootsKnown ? [realpathSync(dir)] : undefined) }, runtime: 'rt',
    ...(fast ? { fast } : {}), readBlockFile,
    readahead: { chunkBytes: MiB, initialWindowBytes: MiB, maxWindowBytes: 32 * MiB },
  });

  const add = (path: string, size: number, w: Where): Buffer => {
    const data = randomBytes(size);
    files.set(path, data);
    where.set(path, w);
    return data;
  };
  const open = (path: string, listed?: ListedLocator, version = 'v1', fh?: number) => source.open(new PinnedVersion(
    { dataset: 'd', path, size: files.get(path)!.length, version, versionId: '', mtimeMs: 0, blockSize: BS },
    { locator, timeoutMs: 1000, batchBlocks: 64, ...(listed ? { listed, smallBlockBytes: MOUNT_DEFAULTS.shortCircuitMinBytes } : {}) },
  ), fh);
  /** Reads the whole file as the kernel would: 128 KiB at a time, in order. */
  const readAll = async (path: string, listed?: ListedLocator, version = 'v1'): Promise<Buffer> => {
    const h = open(path, listed, version);
    const size = files.get(path)!.length;
    const out = Buffer.alloc(size);
    for (let off = 0; off < size; off += 128 * 1024) {
      const n = await source.readInto(h, out.subarray(off), off, Math.min(128 * 1024, size - off));
      assert.equal(n, Math.min(128 * 1024, size - off));
    }
    h.close();
    return out;
  };
  const close = async (): Promise<void> => {
    source.close();
    await channels.close();
    rmSync(dir, { recursive: true, force: true });
  };
  /**
   * Puts `bytes` where a worker keeps block 0 of `path`'s `version` (the store's layout under the
   * tier directory: eddy/<runtime>/<shard>/<key>.<crc32c>); `crc` names other bytes than these.
   */
  const tierFile = (path: string, bytes: Buffer, version = 'v1', crc = crc32c(bytes)): string => {
    const key = blockKey('d', path, version, 0, BS);
    const shard = join(dir, 'eddy', 'rt', key.slice(0, 2));
    mkdirSync(shard, { recursive: true });
    const file = join(shard, `${key}.${(crc >>> 0).toString(16).padStart(8, '0')}`);
    writeFileSync(file, bytes);
    return file;
  };
  return { add, open, readAll, tierFile, source, channels, calls, failing, metered, close };
}

describe('DatasetBlockSource', () => {
  const w = world({ shortCircuitMinBytes: 0 });
  after(async () => await w.close());

  test('a block held on this host is read from its file: no data-channel read, no FETCH, one pin per block', async () => {
    const data = w.add('/warm.bin', 2 * BS + 7, { holders: [worker('near', HOST), worker('far', 'other')] });
    assert.ok((await w.readAll('/warm.bin')).equals(data));
    assert.equal(w.calls.readBlock.length, 0);
    assert.equal(w.calls.fetchBlock.length, 0);
    assert.ok(w.source.stats.local >= (2 * BS) / (128 * 1024), JSON.stringify(w.source.stats));
    assert.equal(w.calls.openLocal.filter((a) => a === 'near:7000').length, 3, 'each block pinned once');
    assert.deepEqual({ local: w.metered.local, remote: w.metered.remote, ufs: w.metered.ufs }, { local: 2 * BS + 7, remote: 0, ufs: 0 },
      'every byte a short-circuit hit');
  });

  test('a sequential reader of uncached blocks has the local preferred worker FETCH each once; a random reader streams', async () => {
    const before = { ...w.source.stats };
    const data = w.add('/cold.bin', 3 * BS, { holders: [], preferred: worker('near', HOST) });
    assert.ok((await w.readAll('/cold.bin')).equals(data));
    const fetched = w.calls.fetchBlock.filter((k) => k.length > 0);
    assert.equal(new Set(fetched).size, 3);
    assert.equal(fetched.length, 3, 'one FETCH per block, shared by its slices');
    assert.equal(w.calls.readBlock.length, 0, 'nothing streamed');
    assert.ok(w.source.stats.fetchedLocal > before.fetchedLocal);
    assert.equal(w.metered.ufs, 3 * BS, 'bytes a local worker fetched from the bucket for this read are misses, once');
    assert.equal(w.metered.local, 2 * BS + 7, 'not hits');
    assert.equal(w.metered.fetches, 3);
    // Read again while the FETCHes are remembered: now they are short-circuit hits.
    assert.ok((await w.readAll('/cold.bin')).equals(data));
    assert.equal(w.metered.ufs, 3 * BS);
    assert.equal(w.metered.local, 2 * BS + 7 + 3 * BS);

    w.calls.fetchBlock.length = 0;
    const other = w.add('/random.bin', 3 * BS, { holders: [], preferred: worker('near', HOST) });
    const h = w.open('/random.bin');
    for (const off of [2 * BS + 100, 5000, BS + 3]) {
      const target = Buffer.alloc(4096);
      assert.equal(await w.source.readInto(h, target, off, 4096), 4096);
      assert.ok(target.equals(other.subarray(off, off + 4096)));
    }
    h.close();
    assert.equal(w.calls.fetchBlock.length, 0, 'random reads never FETCH');
    assert.ok(w.calls.readBlock.length >= 3, 'they are streamed from the preferred worker');
    assert.equal(w.metered.ufs, 3 * BS + 3 * 4096, 'read through by the preferred worker: misses');
    assert.equal(w.metered.remote, 0);
  });

  test('a failing holder and preferred worker are skipped; the bucket serves the bytes', async () => {
    const before = { ...w.source.stats };
    w.failing.add('a:7000');
    w.failing.add('b:7000');
    const data = w.add('/remote.bin', BS + 1, { holders: [worker('a', 'other')], preferred: worker('b', 'other') });
    assert.ok((await w.readAll('/remote.bin')).equals(data));
    // Both taken out of rotation (concurrent readahead chunks may each have found them failing).
    assert.ok(w.source.stats.workerFailures - before.workerFailures >= 2, JSON.stringify(w.source.stats));
    assert.ok(w.source.stats.ufs > before.ufs);
    assert.ok(w.metered.workerFailures >= 2);
    assert.ok(w.metered.bucketReads >= 1);
    assert.equal(w.metered.bucketErrors, 0);
  });

  test('a readahead window of 32 chunks in flight adds no abort listeners past the warning', async () => {
    const warnings: string[] = [];
    const onWarning = (wn: Error): void => { warnings.push(wn.name); };
    process.on('warning', onWarning);
    try {
      const remoteBefore = w.metered.remote;
      const data = w.add('/wide.bin', 16 * BS, { holders: [worker('c', 'other')] });
      assert.ok((await w.readAll('/wide.bin')).equals(data));
      assert.equal(w.metered.remote - remoteBefore, 16 * BS, 'a remote holder served every byte from its tier');
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings.filter((n) => n === 'MaxListenersExceededWarning'), []);
  });
});

// The MEM tier's case (tmpfs block files): after a block's first local read, the handle's next
// reads of it are preads of the same open file, with no lookup in between.
describe('a tmpfs tier', { skip: !existsSync('/dev/shm') && 'no /dev/shm' }, () => {
  const w = world({ shortCircuitMinBytes: 0, root: '/dev/shm' });
  after(async () => await w.close());

  test('a FETCHed block\'s later reads come from its open file: one pin per block, each byte metered once', async () => {
    const data = w.add('/hot.bin', 3 * BS, { holders: [], preferred: worker('near', HOST) });
    assert.ok((await w.readAll('/hot.bin')).equals(data));
    assert.equal(w.calls.fetchBlock.length, 3);
    assert.equal(w.calls.openLocal.length, 3, 'each block pinned once');
    assert.equal(w.calls.readBlock.length, 0);
    assert.equal(w.source.stats.fetchedLocal, (3 * BS) / (128 * 1024), 'every kernel read counted');
    assert.deepEqual({ local: w.metered.local, ufs: w.metered.ufs }, { local: 0, ufs: 3 * BS }, 'misses, once');
    // Read again: hits now, from the same files.
    assert.ok((await w.readAll('/hot.bin')).equals(data));
    assert.deepEqual({ local: w.metered.local, ufs: w.metered.ufs }, { local: 3 * BS, ufs: 3 * BS });
  });

  test('a worker taken out of rotation mid-block is not read from again; the bucket serves the rest', async () => {
    const data = w.add('/failing.bin', BS, { holders: [], preferred: worker('far', HOST) });
    const h = w.open('/failing.bin');
    const out = Buffer.alloc(BS);
    const K = 128 * 1024;
    assert.equal(await w.source.readInto(h, out, 0, K), K);
    const ufsBefore = w.calls.ufs;
    w.failing.add('far:7000');
    w.channels.markFailed('far:7000');
    for (let off = K; off < BS; off += K) assert.equal(await w.source.readInto(h, out.subarray(off), off, K), K);
    h.close();
    assert.ok(out.equals(data));
    assert.ok(w.calls.ufs > ufsBefore, 'read from the bucket, not the failed worker\'s file');
  });
});

describe('small blocks (under shortCircuitMinBytes)', () => {
  const w = world();
  after(async () => await w.close());

  test('a small block held on this host with no tier file to be found is streamed in one READ, never pinned, and metered as a local hit', async () => {
    const data = w.add('/small.bin', 64 * 1024, { holders: [worker('near', HOST)] });
    const before = { ...w.metered };
    assert.ok((await w.readAll('/small.bin')).equals(data));
    assert.equal(w.calls.openLocal.length, 0, 'no pin');
    assert.deepEqual(w.calls.readBlock, ['near:7000'], 'one READ of the whole block');
    assert.equal(w.metered.local - before.local, data.length);
    assert.equal(w.metered.remote - before.remote, 0);
  });

  test('a file of small blocks takes its locations from the listing (no GetBlockLocations); other versions\' are not used', async () => {
    const data = w.add('/listed.bin', 100_000, { holders: [] });
    const asked: string[] = [];
    const listed = (version: string): ListedLocator => ({
      locate: async (path) => {
        asked.push(path);
        return [{ index: 0, key: blockKey('d', path, version, 0, BS), length: 100_000, holders: [worker('far', 'other')], preferred: null }];
      },
      peek: () => undefined,
    });
    const locates = w.calls.locate;
    w.calls.readBlock.length = 0;
    assert.ok((await w.readAll('/listed.bin', listed('v1'))).equals(data));
    assert.equal(w.calls.locate, locates, 'no GetBlockLocations');
    assert.deepEqual(w.calls.readBlock, ['far:7000'], 'read from the holder the listing named');
    assert.ok((await w.readAll('/listed.bin', listed('v0'))).equals(data));
    assert.equal(w.calls.locate, locates + 1, 'a listing of another version: asked the master');
    assert.deepEqual(asked, ['/listed.bin', '/listed.bin']);

    // Blocks of a short-circuit size are always located by the master (a listing may predate their caching).
    const big = w.add('/big.bin', MOUNT_DEFAULTS.shortCircuitMinBytes + 1, { holders: [] });
    assert.ok((await w.readAll('/big.bin', listed('v1'))).equals(big));
    assert.deepEqual(asked, ['/listed.bin', '/listed.bin'], 'the listing is not consulted');
    assert.equal(w.calls.locate, locates + 2);
  });
});

test('selectHolders: holders of this version only, ours first, no duplicates, no suspects', () => {
  const place: BlockPlace = {
    index: 0, ref: { key: 'k' }, current: true, preferred: worker('p', HOST),
    holders: [
      worker('r1', 'other'), worker('l1', HOST), { ...worker('x', HOST), dataAddress: '' }, worker('bad', 'other'), worker('r1', 'other'),
    ],
  };
  const view = { hostId: HOST, isSuspect: (a: string) => a === 'bad:7000' };
  const got = selectHolders(place, view, worker('p', HOST)).map((h) => h.workerId);
  assert.deepEqual(got, ['l1', 'p', 'r1']);
  assert.deepEqual(selectHolders(place, { hostId: '', isSuspect: () => false }).map((h) => h.workerId).sort(), ['bad', 'l1', 'r1']);
});

// Small blocks a worker on this host holds are read from its tier file with no pin and no READ,
// found by their shard's listing and checked against the CRC32C in their name; on disk (async
// calls) and on tmpfs (synchronous ones).
const tierCases = [
  { root: tmpdir(), reader: 'Node' },
  ...(existsSync('/dev/shm') ? [{ root: '/dev/shm', reader: 'Node' }, { root: '/dev/shm', reader: 'C' }] : []),
];
for (const { root, reader } of tierCases) {
  describe(`small blocks read from the tier file of a worker on this host (${root}, read by ${reader})`, () => {
    if (reader === 'C') assert.ok(nativeReadBlockFile, 'the patched fuse-native has readBlockFile (scripts/setup.sh builds it)');
    const w = world({ root, ...(reader === 'C' ? { readBlockFile: nativeReadBlockFile! } : {}) });
    after(async () => await w.close());
    const near = worker('near', HOST);

    test('held by a local worker, or cached by the local preferred one since the listing: no READ, no pin, a local hit exactly', async () => {
      const data = w.add('/s1.bin', 64 * 1024 + 3, { holders: [near, worker('far', 'other')] });
      w.tierFile('/s1.bin', data);
      const stale = w.add('/s2.bin', 1000, { holders: [], preferred: near });
      w.tierFile('/s2.bin', stale);
      const before = { metered: { ...w.metered }, stats: { ...w.source.stats } };
      assert.ok((await w.readAll('/s1.bin')).equals(data));
      assert.ok((await w.readAll('/s2.bin')).equals(stale));
      assert.deepEqual(w.calls.readBlock, [], 'no data-channel READ');
      assert.deepEqual(w.calls.openLocal, [], 'no pin');
      assert.deepEqual(
        { local: w.metered.local - before.metered.local, remote: w.metered.remote - before.metered.remote, ufs: w.metered.ufs - before.metered.ufs },
        { local: data.length + stale.length, remote: 0, ufs: 0 }, 'every byte once, as a local hit');
      assert.equal(w.source.stats.smallLocal - before.stats.smallLocal, 2);
      assert.equal(w.source.stats.local - before.stats.local, 2);
    });

    test('an evicted file, a file with other bytes than its name says, a planted link: each read through the data channel', async () => {
      const gone = w.add('/gone.bin', 5000, { holders: [near] });
      unlinkSync(w.tierFile('/gone.bin', gone));
      const bad = w.add('/bad.bin', 5000, { holders: [near] });
      w.tierFile('/bad.bin', bad, 'v1', crc32c(Buffer.from('other bytes')));
      const linked = w.add('/linked.bin', 5000, { holders: [near] });
      const secret = join(mkdtempSync(join(root, 'eddy-outside-')), 'secret');
      writeFileSync(secret, linked);
      const planted = w.tierFile('/linked.bin', linked);
      unlinkSync(planted);
      symlinkSync(secret, planted);
      const before = { metered: { ...w.metered }, stats: { ...w.source.stats } };
      w.calls.readBlock.length = 0;
      assert.ok((await w.readAll('/gone.bin')).equals(gone));
      assert.ok((await w.readAll('/bad.bin')).equals(bad));
      assert.ok((await w.readAll('/linked.bin')).equals(linked));
      rmSync(join(secret, '..'), { recursive: true, force: true });
      assert.deepEqual(w.calls.readBlock, ['near:7000', 'near:7000', 'near:7000'], 'one READ each');
      const d = (k: 'smallLocal' | 'localCorrupt' | 'localRefused'): number => w.source.stats[k] - before.stats[k];
      assert.deepEqual({ smallLocal: d('smallLocal'), localCorrupt: d('localCorrupt'), localRefused: d('localRefused') },
        { smallLocal: 0, localCorrupt: 1, localRefused: 1 }, 'the wrong bytes and the link counted; the eviction is a plain miss');
      assert.equal(w.metered.local - before.metered.local, 15_000, 'metered once each, from the READ');
    });

    test('a name remembered from a neighbour\'s shard listing: a file since replaced is found again; a wrong one is counted once', async () => {
      // Four files whose blocks share a shard (the first two characters of the key).
      const shardOf = (p: string): string => blockKey('d', p, 'v1', 0, BS).slice(0, 2);
      const mates = ['/nb-0.bin'];
      for (let i = 1; mates.length < 4; i++) if (shardOf(`/nb-${i}.bin`) === shardOf(mates[0]!)) mates.push(`/nb-${i}.bin`);
      const [a, b, x, y] = mates as [string, string, string, string];
      const bytes = new Map(mates.map((p) => [p, w.add(p, 4000, { holders: [near] })]));
      const other = crc32c(Buffer.from('other bytes'));
      w.tierFile(a, bytes.get(a)!);
      const badB = w.tierFile(b, bytes.get(b)!, 'v1', other);
      w.tierFile(x, bytes.get(x)!);
      w.tierFile(y, bytes.get(y)!, 'v1', other);
      const before = { ...w.source.stats };
      const d = (k: 'smallLocal' | 'localCorrupt'): number => w.source.stats[k] - before[k];
      w.calls.readBlock.length = 0;
      assert.ok((await w.readAll(a)).equals(bytes.get(a)!), 'from its file; the listing shows the others\' names');
      // The worker replaces b's file with a good one: the remembered name is gone, the shard is listed again.
      unlinkSync(badB);
      w.tierFile(b, bytes.get(b)!);
      assert.ok((await w.readAll(b)).equals(bytes.get(b)!));
      assert.ok((await w.readAll(x)).equals(bytes.get(x)!));
      assert.deepEqual([w.calls.readBlock, d('smallLocal'), d('localCorrupt')], [[], 3, 0], 'all three from their files, b\'s old one never read');
      // y's remembered name has wrong bytes: refused and counted once (not again by the listing), read through the data channel.
      assert.ok((await w.readAll(y)).equals(bytes.get(y)!));
      assert.deepEqual([w.calls.readBlock, d('smallLocal'), d('localCorrupt')], [['near:7000'], 3, 1]);
    });

    test('a handle held across an update reads its own version\'s file; one opened after it reads the new one', async () => {
      const v1 = w.add('/upd.bin', 3000, { holders: [near], preferred: near });
      w.tierFile('/upd.bin', v1, 'v1');
      const held = w.open('/upd.bin');
      const v2 = Buffer.from(v1.map((b) => b ^ 0xff));
      w.tierFile('/upd.bin', v2, 'v2');
      const readHandle = async (h: ReturnType<typeof w.open>): Promise<Buffer> => {
        const out = Buffer.alloc(3000);
        assert.equal(await w.source.readInto(h, out, 0, 3000), 3000);
        h.close();
        return out;
      };
      const fresh = w.open('/upd.bin', undefined, 'v2');
      w.calls.readBlock.length = 0;
      assert.ok((await readHandle(fresh)).equals(v2), 'the new version');
      assert.ok((await readHandle(held)).equals(v1), 'the version the handle pinned');
      assert.deepEqual(w.calls.readBlock, []);
    });
  });
}

/** The C table's memory entries, in JS: what a handle's reads would be answered from. */
class MemoryTable implements FastReadTable {
  readonly memoryEntries = true;
  readonly countsMisses = false;
  readonly memory = new Map<number, Buffer>();
  add(): boolean { return false; }
  addMemory(fh: number, data: Buffer): boolean {
    this.memory.set(fh, data);
    return true;
  }

  remove(fh: number, _index: number, fd: number): FastRemoved {
    if (fd === -1) this.memory.delete(fh);
    return { reads: 0, missesLeft: 0 };
  }

  spendMisses(): number { return 0; }
}

// A warm small file's open: its bytes reach C in the same turn of the event loop (no await) when
// its location came with the listing and a worker on this host keeps it on tmpfs. Otherwise (a tier
// on disk, tier directories not known without asking the master) the general path fills it with the
// same bytes. Either way: no READ, no pin, no GetBlockLocations, metered once as a local hit.
const fillCases: Array<{ root: string; rootsKnown: boolean; sync: boolean }> = [
  { root: tmpdir(), rootsKnown: true, sync: statfsSync(tmpdir()).type === 0x01021994 },
  ...(existsSync('/dev/shm') ? [{ root: '/dev/shm', rootsKnown: true, sync: true }, { root: '/dev/shm', rootsKnown: false, sync: false }] : []),
];
for (const { root, rootsKnown, sync } of fillCases) {
  test(`fillAtOpen of a warm small file in ${root}${rootsKnown ? '' : ', tier directories not known yet'}: ${sync ? 'at once' : 'after an await'}`, async () => {
    const table = new MemoryTable();
    const w = world({ root, fast: new FastReads(table, 64 * MiB), rootsKnown });
    try {
      const near = worker('near', HOST);
      const data = w.add('/warm.bin', 70_000, { holders: [] });
      w.tierFile('/warm.bin', data);
      const location = [{ index: 0, key: blockKey('d', '/warm.bin', 'v1', 0, BS), length: 70_000, holders: [near], preferred: null }];
      const listed: ListedLocator = { locate: async () => await Promise.resolve(location), peek: () => location };
      const h = w.open('/warm.bin', listed, 'v1', 7);
      const before = { ...w.metered };
      const filling = w.source.fillAtOpen(h);
      assert.equal(table.memory.has(7), sync, sync ? 'in C before any await' : 'not before an await');
      await filling;
      assert.ok(table.memory.get(7)?.equals(data), 'the file\'s bytes, in C');
      assert.deepEqual(w.calls.readBlock, [], 'no data-channel READ');
      assert.deepEqual(w.calls.openLocal, [], 'no pin');
      assert.equal(w.calls.locate, 0, 'no GetBlockLocations');
      assert.equal(w.metered.local - before.local, data.length, 'metered once, as a local hit');
      assert.equal(w.source.stats.smallLocal, 1);
      h.close();
      assert.equal(table.memory.has(7), false, 'the entry leaves with the handle');

      // Bytes that do not match the name: refused at once, read through the data channel instead.
      const bad = w.add('/bad.bin', 5000, { holders: [near] });
      w.tierFile('/bad.bin', bad, 'v1', crc32c(Buffer.from('other bytes')));
      const badAt = [{ index: 0, key: blockKey('d', '/bad.bin', 'v1', 0, BS), length: 5000, holders: [near], preferred: null }];
      const h2 = w.open('/bad.bin', { locate: async () => await Promise.resolve(badAt), peek: () => badAt }, 'v1', 8);
      await w.source.fillAtOpen(h2);
      assert.ok(table.memory.get(8)?.equals(bad), 'the right bytes, from the worker');
      assert.deepEqual(w.calls.readBlock, ['near:7000']);
      assert.equal(w.source.stats.localCorrupt, 1);
      h2.close();
    } finally {
      await w.close();
    }
  });
}

// Directory read-ahead (issue 17 item 2) without FUSE: the real DirReadAhead and ChannelPool over
// a fake data channel. A cold open reads the directory's other small cold files ahead, within its
// concurrency; a reader takes them from memory once, metered where the worker had them; a queued
// read-ahead the reader overtakes is dropped; a file of another version is never served; close()
// aborts what runs and drops what is held.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { blockKey, blockSlices, silentLogger } from '@eddy/core';
import type { proto } from '@eddy/protocol';
import type { FileAttr } from '../src/metadata-cache.js';
import { ChannelPool } from '../src/read-path/channel-pool.js';
import { DirReadAhead, type DirReadAheadOptions } from '../src/read-path/dir-read-ahead.js';
import { PinnedVersion } from '../src/read-path/pinned-version.js';
import type { DataChannel, ReadMeter } from '../src/read-path/sources.js';

const BS = 1 << 20;
const W: proto.WorkerAddress__Output = { workerId: 'w1', dataAddress: 'w1:7000', hostId: 'other', grpcAddress: '' };

interface Fixture {
  ahead: DirReadAhead;
  files: Map<string, Buffer>;
  attrs: FileAttr[];
  reads: string[];
  metered: Array<[string, number]>;
  /** Resolves the reads waiting in the fake channel (when `hold` is set). */
  release(): void;
  pinned(path: string, version?: string): PinnedVersion;
}

interface FixtureOptions {
  /** Reads wait for release(). */
  hold?: boolean;
  /** Files a worker holds (their listed location names it). */
  held?: Set<string>;
  options?: Partial<DirReadAheadOptions>;
}

function fixture(n: number, o: FixtureOptions = {}): Fixture {
  const files = new Map<string, Buffer>();
  const attrs: FileAttr[] = [];
  for (let i = 0; i < n; i++) {
    const path = `/d/f${i}`;
    files.set(path, randomBytes(1000 + i));
    attrs.push({ path, isDir: false, size: 1000 + i, version: 'v1', versionId: '', mtimeMs: 0 });
  }
  attrs.push({ path: '/d/sub', isDir: true, size: 0, version: '', versionId: '', mtimeMs: 0 });
  const reads: string[] = [];
  const metered: Array<[string, number]> = [];
  let waiting: Array<() => void> = [];
  const channel: DataChannel = {
    readBlock: async (ref, offset, length, options) => {
      reads.push(ref.path!);
      if (o.hold) await new Promise<void>((r) => waiting.push(r));
      options?.signal?.throwIfAborted();
      options?.onSource?.(o.held?.has(ref.path!) ? 'cache' : 'ufs');
      return Buffer.from(files.get(ref.path!)!.subarray(offset, offset + length));
    },
    fetchBlock: async () => 0,
    openLocal: async () => null,
    close: () => undefined,
  };
  const located = (path: string): proto.BlockLocation__Output[] | undefined => {
    const a = attrs.find((x) => x.path === path);
    if (!a) return undefined;
    const key = blockKey('demo', path, a.version, 0, BS);
    return [{ index: 0, key, length: a.size, holders: o.held?.has(path) ? [W] : [], preferred: W }];
  };
  const meter: Pick<ReadMeter, 'read'> = { read: (source, bytes) => { metered.push([source, bytes]); } };
  const ahead = new DirReadAhead({
    channels: new ChannelPool(() => channel, 1000), listing: (dir) => (dir === '/d' ? attrs : undefined), located,
    onHost: () => false, meter, logger: silentLogger(), dataset: 'demo', blockSize: BS, maxFileBytes: BS,
    files: 64, concurrency: 2, maxBytes: 1 << 24, holdMs: 60_000, workerTimeoutMs: 5000, ...o.options,
  });
  const pinned = (path: string, version = 'v1'): PinnedVersion => new PinnedVersion(
    { dataset: 'demo', path, size: files.get(path)!.length, version, versionId: '', mtimeMs: 0, blockSize: BS },
    { locator: { getBlockLocations: async () => { throw new Error('not asked'); } }, timeoutMs: 1000, batchBlocks: 1 },
  );
  return { ahead, files, attrs, reads, metered, pinned, release: () => { const w = waiting; waiting = []; for (const r of w) r(); } };
}

const whole = (p: PinnedVersion) => blockSlices(0, p.size, p.size, BS)[0]!;

describe('DirReadAhead', () => {
  test('a cold open reads the other small files of its directory ahead; each is taken once and metered as a bucket read', async () => {
    const f = fixture(6);
    const first = f.pinned('/d/f0');
    f.ahead.coldOpen(first);
    f.ahead.coldOpen(f.pinned('/d/f1'));
    assert.equal(f.ahead.stats.triggers, 1, 'once per directory');
    for (let i = 1; i < 6; i++) {
      const p = f.pinned(`/d/f${i}`);
      const got = await f.ahead.take(p, whole(p));
      assert.deepEqual(got, f.files.get(`/d/f${i}`), `f${i}`);
    }
    assert.deepEqual(f.reads.sort(), ['/d/f1', '/d/f2', '/d/f3', '/d/f4', '/d/f5'],
      'the opened file and the subdirectory are not read ahead');
    assert.equal(f.ahead.stats.hits, 5);
    assert.deepEqual(f.metered.map(([s]) => s), Array(5).fill('ufs'));
    const again = f.pinned('/d/f1');
    assert.equal(await f.ahead.take(again, whole(again)), undefined, 'taken once');
  });

  test('no more than `concurrency` reads run at once; a reader overtaking a queued one reads the file itself', async () => {
    const f = fixture(6, { hold: true });
    f.ahead.coldOpen(f.pinned('/d/f0'));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(f.reads, ['/d/f1', '/d/f2']);
    const p5 = f.pinned('/d/f5');
    assert.equal(await f.ahead.take(p5, whole(p5)), undefined, 'f5 was queued: the reader reads it');
    const p1 = f.pinned('/d/f1');
    const taking = f.ahead.take(p1, whole(p1));
    f.release();
    assert.deepEqual(await taking, f.files.get('/d/f1'), 'a running read-ahead is waited for');
    for (let i = 0; i < 5 && f.reads.length < 4; i++) {
      await new Promise((r) => setImmediate(r));
      f.release();
    }
    assert.ok(!f.reads.includes('/d/f5'), 'f5 is not read ahead any more');
    f.ahead.close();
    f.release();
  });

  test('bytes of another version are not served; files a worker holds are not read ahead', async () => {
    const f = fixture(4, { held: new Set(['/d/f3']) });
    const f2 = f.attrs[2]!;
    f.attrs[2] = { ...f2, version: 'v2' };
    f.ahead.coldOpen(f.pinned('/d/f0'));
    const p1v1 = f.pinned('/d/f1');
    assert.deepEqual(await f.ahead.take(p1v1, whole(p1v1)), f.files.get('/d/f1'));
    const p2v1 = f.pinned('/d/f2', 'v1');
    assert.equal(await f.ahead.take(p2v1, whole(p2v1)), undefined, 'read ahead as v2, opened as v1');
    assert.ok(!f.reads.includes('/d/f3'), 'a held file is not read ahead');
  });

  test('close() drops what is held and stops reading ahead', async () => {
    const f = fixture(4);
    f.ahead.coldOpen(f.pinned('/d/f0'));
    const p1 = f.pinned('/d/f1');
    await f.ahead.take(p1, whole(p1));
    f.ahead.close();
    f.ahead.close();
    const p2 = f.pinned('/d/f2');
    assert.equal(await f.ahead.take(p2, whole(p2)), undefined);
    const before = f.reads.length;
    f.ahead.coldOpen(f.pinned('/d/f3'));
    assert.equal(f.reads.length, before);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { FileReader, type ReadaheadOptions } from '../src/read-path/file-reader.js';
import { ReadaheadBudget } from '../src/read-path/readahead-budget.js';
import type { BlockReader } from '../src/read-path/block-reader.js';
import type { LocationCache } from '../src/read-path/location-cache.js';

const MiB = 1 << 20;
const RA: ReadaheadOptions = { chunkBytes: MiB, initialWindowBytes: MiB, maxWindowBytes: 16 * MiB };

function fakeReader(data: Buffer): { reader: BlockReader; fetched: Array<[number, number]> } {
  const fetched: Array<[number, number]> = [];
  const reader = {
    readRange: async (_f: unknown, _l: unknown, offset: number, length: number) => {
      fetched.push([offset, length]);
      return data.subarray(offset, Math.min(data.length, offset + length));
    },
  } as unknown as BlockReader;
  return { reader, fetched };
}

const file = (size: number) => ({ dataset: 'd', path: '/f', size, version: 'v1', mtimeMs: 0, blockSize: 4 * MiB });

test('sequential reads grow the readahead window to its bound and return exact bytes', async () => {
  const data = randomBytes(40 * MiB + 123);
  const { reader, fetched } = fakeReader(data);
  const budget = new ReadaheadBudget(256 * MiB);
  const r = new FileReader(file(data.length), reader, {} as LocationCache, budget, RA);
  const windows: number[] = [];
  const out: Buffer[] = [];
  for (let off = 0; off < data.length; off += 128 * 1024) {
    out.push(await r.read(off, 128 * 1024));
    windows.push(r.windowBytes);
  }
  assert.ok(Buffer.concat(out).equals(data));
  assert.deepEqual([...new Set(windows)], [MiB, 2 * MiB, 4 * MiB, 8 * MiB, 16 * MiB]);
  // Every byte fetched once, in 1 MiB chunks, never more than the file.
  const total = fetched.reduce((s, [, l]) => s + Math.min(l, data.length - 0), 0);
  assert.ok(total <= data.length + MiB, `fetched ${total}`);
  assert.ok(fetched.every(([o, l]) => o % MiB === 0 && l === MiB));
  r.close();
  assert.equal(budget.used, 0);
});

test('random reads fetch exactly what is asked, with no readahead', async () => {
  const data = randomBytes(64 * MiB);
  const { reader, fetched } = fakeReader(data);
  const r = new FileReader(file(data.length), reader, {} as LocationCache, new ReadaheadBudget(256 * MiB), RA);
  const offsets = [50 * MiB, 3 * MiB + 7, 40 * MiB, 10 * MiB, 60 * MiB + 4096, 20 * MiB];
  await r.read(30 * MiB, 4096); // first read away from 0
  fetched.length = 0;
  for (const off of offsets) {
    const got = await r.read(off, 128 * 1024);
    assert.ok(got.equals(data.subarray(off, off + 128 * 1024)));
    assert.equal(r.windowBytes, 0);
  }
  assert.deepEqual(fetched, offsets.map((o) => [o, 128 * 1024]));
  r.close();
});

test('the shared budget bounds prefetch across handles; reads past EOF are empty', async () => {
  const data = randomBytes(32 * MiB);
  const budget = new ReadaheadBudget(4 * MiB);
  const readers = [0, 1, 2].map(() => new FileReader(file(data.length), fakeReader(data).reader, {} as LocationCache, budget, RA));
  for (let off = 0; off < 8 * MiB; off += 128 * 1024) {
    for (const r of readers) assert.ok((await r.read(off, 128 * 1024)).equals(data.subarray(off, off + 128 * 1024)));
    assert.ok(budget.used <= 4 * MiB);
  }
  assert.equal((await readers[0]!.read(data.length, 4096)).length, 0);
  assert.equal((await readers[0]!.read(data.length - 10, 4096)).length, 10);
  for (const r of readers) r.close();
  assert.equal(budget.used, 0);
});

test('a failed chunk is retried by the next read instead of caching the error', async () => {
  const data = randomBytes(4 * MiB);
  let fail = true;
  const reader = {
    readRange: async (_f: unknown, _l: unknown, offset: number, length: number) => {
      if (fail && offset === 0) throw new Error('boom');
      return data.subarray(offset, offset + length);
    },
  } as unknown as BlockReader;
  const r = new FileReader(file(data.length), reader, {} as LocationCache, new ReadaheadBudget(64 * MiB), RA);
  await assert.rejects(r.read(0, 4096), /boom/);
  fail = false;
  assert.ok((await r.read(0, 4096)).equals(data.subarray(0, 4096)));
  r.close();
});

test('a window of 0 disables readahead: sequential reads fetch exactly what is asked', async () => {
  const data = randomBytes(8 * MiB);
  const { reader, fetched } = fakeReader(data);
  const r = new FileReader(file(data.length), reader, {} as LocationCache, new ReadaheadBudget(64 * MiB), { chunkBytes: 4 * MiB, initialWindowBytes: 0, maxWindowBytes: 0 });
  for (let off = 0; off < 2 * MiB; off += 128 * 1024) assert.ok((await r.read(off, 128 * 1024)).equals(data.subarray(off, off + 128 * 1024)));
  assert.ok(fetched.every(([, l]) => l === 128 * 1024));
  r.close();
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BufferPool } from '@eddy/core';
// Readahead only schedules: these tests hand it a fetch function over an in-memory file and check
// what it asks for and what it returns.
import type { ReadaheadOptions } from '../src/mount-options.js';
import { Readahead, type RangeFetch } from '../src/read-path/readahead.js';
import { ReadaheadBudget } from '../src/read-path/readahead-budget.js';

const MiB = 1 << 20;
const RA: ReadaheadOptions = { chunkBytes: MiB, initialWindowBytes: MiB, maxWindowBytes: 16 * MiB };

function fakeFetch(data: Buffer): { fetch: RangeFetch; fetched: Array<[number, number]> } {
  const fetched: Array<[number, number]> = [];
  const fetch: RangeFetch = async (offset, length) => {
    fetched.push([offset, length]);
    return data.subarray(offset, Math.min(data.length, offset + length));
  };
  return { fetch, fetched };
}

test('sequential reads grow the readahead window to its bound and return exact bytes', async () => {
  const data = randomBytes(40 * MiB + 123);
  const { fetch, fetched } = fakeFetch(data);
  const budget = new ReadaheadBudget(256 * MiB);
  const r = new Readahead(data.length, budget, RA, fetch);
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
  const { fetch, fetched } = fakeFetch(data);
  const r = new Readahead(data.length, new ReadaheadBudget(256 * MiB), RA, fetch);
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
  const readers = [0, 1, 2].map(() => new Readahead(data.length, budget, RA, fakeFetch(data).fetch));
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
  const fetch: RangeFetch = async (offset, length) => {
    if (fail && offset === 0) throw new Error('boom');
    return data.subarray(offset, offset + length);
  };
  const r = new Readahead(data.length, new ReadaheadBudget(64 * MiB), RA, fetch);
  await assert.rejects(r.read(0, 4096), /boom/);
  fail = false;
  assert.ok((await r.read(0, 4096)).equals(data.subarray(0, 4096)));
  r.close();
});

test('a window of 0 disables readahead: sequential reads fetch exactly what is asked', async () => {
  const data = randomBytes(8 * MiB);
  const { fetch, fetched } = fakeFetch(data);
  const off0: ReadaheadOptions = { chunkBytes: 4 * MiB, initialWindowBytes: 0, maxWindowBytes: 0 };
  const r = new Readahead(data.length, new ReadaheadBudget(64 * MiB), off0, fetch);
  for (let off = 0; off < 2 * MiB; off += 128 * 1024) {
    assert.ok((await r.read(off, 128 * 1024)).equals(data.subarray(off, off + 128 * 1024)));
  }
  assert.ok(fetched.every(([, l]) => l === 128 * 1024));
  r.close();
});

test('chunks are fetched as sequential, exact random reads not; reads served elsewhere still count as sequential', async () => {
  const data = randomBytes(16 * MiB);
  const calls: Array<[number, boolean]> = [];
  const fetch: RangeFetch = async (offset, length, sequential) => {
    calls.push([offset, sequential]);
    return data.subarray(offset, Math.min(data.length, offset + length));
  };
  const r = new Readahead(data.length, new ReadaheadBudget(64 * MiB), RA, fetch);
  // A reader served from local files up to 8 MiB (the short-circuit) then streamed: sequential.
  r.advance(8 * MiB);
  assert.ok(r.isSequential(8 * MiB));
  assert.ok((await r.read(8 * MiB, 4096)).equals(data.subarray(8 * MiB, 8 * MiB + 4096)));
  assert.ok(calls.length >= 2 && calls.every(([o, seq]) => seq && o % MiB === 0), JSON.stringify(calls));
  calls.length = 0;
  assert.ok(!r.isSequential(1 * MiB));
  assert.ok((await r.read(1 * MiB + 5, 100)).equals(data.subarray(1 * MiB + 5, 1 * MiB + 105)));
  assert.deepEqual(calls, [[1 * MiB + 5, false]]);
  r.close();
});

/** A fetch over `data` that reads into the pooled buffer it is lent, as the data channel does, later (like a socket). */
function poolFetch(data: Buffer): { fetch: RangeFetch; lent: Set<ArrayBufferLike>; inFlight: Set<Buffer> } {
  const lent = new Set<ArrayBufferLike>();
  const inFlight = new Set<Buffer>();
  const fetch: RangeFetch = async (offset, length, _sequential, into) => {
    const bytes = data.subarray(offset, Math.min(data.length, offset + length));
    if (!into) return Buffer.from(bytes);
    assert.ok(!inFlight.has(into), 'a buffer lent to two fetches at once');
    lent.add(into.buffer);
    inFlight.add(into);
    await new Promise((resolve) => setImmediate(resolve));
    bytes.copy(into);
    inFlight.delete(into);
    return into.subarray(0, bytes.length);
  };
  return { fetch, lent, inFlight };
}

test('with a chunk pool, chunks are read into reused buffers and every byte read is right', async () => {
  const data = randomBytes(40 * MiB + 123);
  const { fetch, lent } = poolFetch(data);
  const pool = new BufferPool(MiB, 8);
  const budget = new ReadaheadBudget(256 * MiB);
  const r = new Readahead(data.length, budget, RA, fetch, pool);
  const out = Buffer.alloc(data.length);
  // The kernel's reads of one stream: a few in flight at once, slightly out of order.
  const K = 128 * 1024;
  for (let off = 0; off < data.length; off += 4 * K) {
    await Promise.all([off + K, off, off + 3 * K, off + 2 * K].map(async (o) => {
      const n = await r.readInto(o, K, out.subarray(o, o + K));
      assert.equal(n, Math.max(0, Math.min(K, data.length - o)));
    }));
  }
  assert.ok(out.equals(data));
  // 41 chunks went through far fewer buffers (the window is 16 chunks).
  assert.ok(lent.size <= 16 + 8, `${lent.size} buffers`);
  r.close();
  assert.equal(budget.used, 0);
});

test('with a chunk pool, a dropped chunk\'s buffer returns to the pool only once its fetch settled', async () => {
  const data = randomBytes(16 * MiB);
  const { fetch, inFlight } = poolFetch(data);
  const pool = new BufferPool(MiB, 64);
  const r = new Readahead(data.length, new ReadaheadBudget(256 * MiB), RA, fetch, pool);
  assert.ok((await r.read(0, 4096)).equals(data.subarray(0, 4096)));
  await r.read(4096, 4096); // the window has chunks in flight now
  assert.ok(inFlight.size > 0);
  const free = pool.freeCount;
  r.close();
  assert.equal(pool.freeCount, free + 1, 'only chunk 0, settled, is back at once');
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(inFlight.size, 0);
  assert.ok(pool.freeCount > free + 1, 'the others once they settled');
});

test('with a chunk pool, a fetch that answers with a buffer of its own gives the lent one back', async () => {
  const data = randomBytes(8 * MiB);
  const { fetch: own } = fakeFetch(data);
  const lent = new Set<ArrayBufferLike>();
  const fetch: RangeFetch = async (offset, length, sequential, into) => {
    if (into) lent.add(into.buffer);
    return await own(offset, length, sequential);
  };
  const pool = new BufferPool(MiB, 64);
  const r = new Readahead(data.length, new ReadaheadBudget(256 * MiB), RA, fetch, pool);
  for (let off = 0; off < data.length; off += 256 * 1024) assert.ok((await r.read(off, 256 * 1024)).equals(data.subarray(off, off + 256 * 1024)));
  // Every buffer lent came back, at once, and was lent again: a few served all 8 chunks.
  assert.equal(pool.freeCount, lent.size);
  assert.ok(lent.size < 8, `${lent.size} buffers`);
  r.close();
});

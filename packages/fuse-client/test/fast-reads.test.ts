// FastReads (read-path/fast-reads.ts) against a table that does what the patched fuse-native's
// does with miss bytes: a FETCHed block's entry takes the FETCH's miss budget, C counts reads
// against it, and whatever C did not count goes back to the FETCH when the entry leaves (handle
// closed, file dropped, block pinned again), so between JS and C each bucket byte is a miss once.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FastHandle, FastReads, type FastFile, type FastReadTable, type FastRemoved, type MissBudget } from '../src/read-path/fast-reads.js';

interface Entry { fd: number; length: number; missLeft: number }

/** The C table's bookkeeping, in JS: entries by (fh, index), reads taken from their miss budgets. */
class TableModel implements FastReadTable {
  readonly memoryEntries = false;
  readonly entries = new Map<string, Entry>();
  missBytes = 0;
  hitBytes = 0;

  constructor(readonly countsMisses: boolean) {}

  add(fh: number, index: number, fd: number, _fileOffset: number, length: number, _blockSize: number, missBytes: number): boolean {
    if (missBytes > 0 && !this.countsMisses) return false;
    this.entries.set(`${fh}/${index}`, { fd, length, missLeft: missBytes });
    return true;
  }

  addMemory(): boolean {
    return false;
  }

  remove(fh: number, index: number, fd: number): FastRemoved {
    const e = this.entries.get(`${fh}/${index}`);
    if (e?.fd !== fd) return { reads: -1, missesLeft: 0 };
    this.entries.delete(`${fh}/${index}`);
    return { reads: -1, missesLeft: e.missLeft };
  }

  spendMisses(fh: number, index: number, fd: number, n: number): number {
    const e = this.entries.get(`${fh}/${index}`);
    if (e?.fd !== fd) return 0;
    const take = Math.min(n, e.missLeft);
    e.missLeft -= take;
    return take;
  }

  /** A read C answers: false when there is no entry (JS answers it). */
  read(fh: number, index: number, n: number): boolean {
    const e = this.entries.get(`${fh}/${index}`);
    if (!e) return false;
    const miss = Math.min(n, e.missLeft);
    e.missLeft -= miss;
    this.missBytes += miss;
    this.hitBytes += n - miss;
    return true;
  }
}

const file = (fd: number): FastFile & { disposed: boolean } => ({ fd, fastEntries: new Set(), disposed: false });
const K = 128 * 1024;
const BS = 16 * K;

describe('FastReads: a FETCHed block in the C table', () => {
  test('the entry takes the FETCH\'s misses; C counts them first, then hits', () => {
    const table = new TableModel(true);
    const fast = new FastReads(table);
    const fetch: MissBudget = { ufsLeft: BS - K }; // JS returned the block's first read
    const h = new FastHandle(7);
    fast.enter(h, 0, file(30), BS, BS, fetch);
    assert.equal(fetch.ufsLeft, 0, 'taken by the entry');
    for (let at = K; at < BS; at += K) assert.ok(table.read(7, 0, K));
    assert.deepEqual({ miss: table.missBytes, hit: table.hitBytes }, { miss: BS - K, hit: 0 });
    assert.ok(table.read(7, 0, K));
    assert.equal(table.hitBytes, K, 'then hits');
    fast.dropHandle(h);
    assert.equal(fetch.ufsLeft, 0);
    assert.equal(table.entries.size, 0);
  });

  test('a second handle of the block stays in JS while another entry holds its misses, and spends them there', () => {
    const table = new TableModel(true);
    const fast = new FastReads(table);
    const fetch: MissBudget = { ufsLeft: BS };
    const a = new FastHandle(1);
    const b = new FastHandle(2);
    const f = file(40);
    fast.enter(a, 3, f, BS, BS, fetch);
    assert.ok(table.read(1, 3, K));
    fast.enter(b, 3, f, BS, BS, fetch);
    assert.equal(table.read(2, 3, K), false, 'b\'s read goes to JS');
    assert.equal(fast.spendMisses(fetch, K), K, 'the bytes JS returned for b: misses, from a\'s entry');
    fast.dropHandle(a);
    assert.equal(fetch.ufsLeft, BS - 2 * K, 'the rest of a closed handle\'s misses go back');
    assert.equal(fast.spendMisses(fetch, K), 0, 'no entry holds any now');
    fast.enter(b, 3, f, BS, BS, fetch);
    assert.equal(fetch.ufsLeft, 0, 'b\'s entry takes them now');
    assert.ok(table.read(2, 3, BS - 2 * K));
    fast.dropHandle(b);
    assert.equal(table.missBytes + K, BS, 'every bucket byte a miss once: K of them returned by JS');
    assert.deepEqual({ hit: table.hitBytes, left: fetch.ufsLeft, entries: table.entries.size }, { hit: 0, left: 0, entries: 0 });
  });

  test('what C did not count goes back when the file is dropped or the block pinned again', () => {
    const table = new TableModel(true);
    const fast = new FastReads(table);
    const fetch: MissBudget = { ufsLeft: BS };
    const h = new FastHandle(2);
    const f = file(40);
    fast.enter(h, 4, f, BS, BS, fetch);
    assert.ok(table.read(2, 4, K));
    // The block pinned again (another file): the old entry gives back its misses, the new one takes them.
    const g = file(41);
    fast.enter(h, 4, g, BS, BS, fetch);
    assert.equal(fetch.ufsLeft, 0);
    assert.ok(table.read(2, 4, K));
    fast.dropFile(f);
    assert.equal(table.entries.size, 1, 'the new file\'s entry stays');
    g.disposed = true;
    fast.dropFile(g);
    assert.equal(fetch.ufsLeft, BS - 2 * K, 'given back when its file is dropped');
    assert.equal(table.entries.size, 0);
    fast.dropHandle(h);
    assert.equal(table.missBytes, 2 * K);
  });

  test('a binary that cannot count misses gets no FETCHed block until its misses are spent', () => {
    const table = new TableModel(false);
    const fast = new FastReads(table);
    const fetch: MissBudget = { ufsLeft: K };
    const h = new FastHandle(5);
    fast.enter(h, 0, file(50), BS, BS, fetch);
    assert.equal(table.entries.size, 0);
    assert.equal(fetch.ufsLeft, K, 'left for JS to count');
    fetch.ufsLeft = 0;
    fast.enter(h, 0, file(50), BS, BS, fetch);
    assert.equal(table.entries.size, 1);
    fast.dropHandle(h);
  });
});

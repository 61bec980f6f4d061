// FastAttrs keeps the fast attr table equal to what JS would answer (fast-attrs.ts): checked here
// against a table in memory after every step, with the real metadata cache and page cache policy.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FuseStat } from 'fuse-native';
import { FastAttrs, type FastAttrTable } from '../src/fast-attrs.js';
import { MetadataCache, monotonicMs, type FileAttr } from '../src/metadata-cache.js';
import { PageCachePolicy } from '../src/page-cache-policy.js';

interface Entry { stat: FuseStat; untilMs: number; answers: number }

/** The C table's contract: put/remove return the size an entry told the kernel (answered a getattr), else -1. */
class MemoryTable implements FastAttrTable {
  readonly entries = new Map<string, Entry>();
  put(path: string, stat: FuseStat, untilMs: number, maxEntries: number): number {
    const old = this.entries.get(path);
    if (!old && this.entries.size >= maxEntries) return -1;
    this.entries.set(path, { stat, untilMs, answers: 0 });
    return old && old.answers > 0 ? old.stat.size : -1;
  }
  remove(path: string): number {
    const old = this.entries.get(path);
    this.entries.delete(path);
    return old && old.answers > 0 ? old.stat.size : -1;
  }
  clear(): void { this.entries.clear(); }
  /** A getattr in a libfuse thread: the entry's stat if live. */
  getattr(path: string): FuseStat | undefined {
    const e = this.entries.get(path);
    if (!e || monotonicMs() >= e.untilMs) return undefined;
    e.answers++;
    return e.stat;
  }
}

const stat = (a: FileAttr): FuseStat => {
  const mtime = new Date(a.mtimeMs);
  return { mode: a.isDir ? 0o040555 : 0o100444, uid: 0, gid: 0, size: a.isDir ? 4096 : a.size, mtime, atime: mtime, ctime: mtime };
};
const file = (path: string, version: string, size: number): FileAttr =>
  ({ path, isDir: false, size, version, versionId: '', mtimeMs: size * 1000 });
const listing = (attrs: FileAttr[]): { names: string[]; nameSet: Set<string>; attrs: FileAttr[] } => {
  const names = attrs.map((a) => a.path.split('/').pop()!);
  return { names, nameSet: new Set(names), attrs };
};

function setup(maxEntries = 100, attrTimeoutSec = 60): {
  table: MemoryTable; cache: MetadataCache; pageCache: PageCachePolicy<FileAttr>; fast: FastAttrs; check: () => void;
} {
  const table = new MemoryTable();
  const cache = new MetadataCache({ attrTimeoutSec, entryTimeoutSec: attrTimeoutSec, negativeTimeoutSec: attrTimeoutSec, maxEntries });
  const pageCache = new PageCachePolicy<FileAttr>({ keepCacheAcrossOpens: true, maxPaths: maxEntries });
  const fast = new FastAttrs({ table, cache, pageCache, stat });
  /** The invariant: every live entry is what JS would answer now (EddyFilesystem's report of the cached attribute). */
  const check = (): void => {
    for (const [path, e] of table.entries) {
      if (monotonicMs() >= e.untilMs) continue;
      const live = cache.peekAttr(path);
      assert.ok(live, `${path}: a live entry for a path the cache no longer holds`);
      assert.ok(e.untilMs <= live.liveUntilMs, `${path}: the entry outlives the cached attribute`);
      const js = stat(live.attr.isDir ? live.attr : pageCache.peek(path, live.attr));
      assert.deepEqual(e.stat, js, `${path}: the entry differs from JS's answer`);
    }
  };
  return { table, cache, pageCache, fast, check };
}

describe('FastAttrs: the fast attr table always equals JS\'s answer', () => {
  test('a listing puts every entry, dirs too, with a deadline no later than the cached attribute\'s expiry', () => {
    const { table, cache, check } = setup();
    const before = monotonicMs();
    cache.setListing('/d', listing([file('/d/a', 'v1', 10), file('/d/b', 'v1', 20), { ...file('/d/sub', '', 0), isDir: true }]));
    assert.deepEqual([...table.entries.keys()].sort(), ['/d/a', '/d/b', '/d/sub']);
    assert.equal(table.getattr('/d/a')?.size, 10);
    assert.equal(table.getattr('/d/sub')?.size, 4096);
    for (const e of table.entries.values()) assert.ok(e.untilMs <= before + 60_000 + 5 && e.untilMs > before + 59_000);
    check();
  });

  test('a replaced, negative, evicted or cleared attribute removes its entry at once', () => {
    const { table, cache, check } = setup(3);
    cache.setListing('/d', listing([file('/d/a', 'v1', 10), file('/d/b', 'v1', 20)]));
    cache.setAttr(file('/d/a', 'v2', 11));
    assert.equal(table.getattr('/d/a'), undefined, 'a Stat replaced it: JS answers (and puts it again)');
    check();
    cache.setNegative('/d/b');
    assert.ok(!table.entries.has('/d/b'));
    cache.setListing('/e', listing([file('/e/x', 'v1', 1), file('/e/y', 'v1', 2), file('/e/z', 'v1', 3)]));
    assert.ok(table.entries.size <= 3, 'bounded by the metadata cache');
    check();
    cache.clear();
    assert.equal(table.entries.size, 0);
  });

  test('a new listing of a changed object replaces its entry with the new size and mtime', () => {
    const { table, cache, check } = setup();
    cache.setListing('/d', listing([file('/d/a', 'v1', 10)]));
    cache.setListing('/d', listing([file('/d/a', 'v2', 99)]));
    assert.deepEqual([table.getattr('/d/a')?.size, table.getattr('/d/a')?.mtime.getTime()], [99, 99_000]);
    check();
  });

  test('with attr_timeout=0 nothing is cached, so nothing is put', () => {
    const { table, cache } = setup(100, 0);
    cache.setListing('/d', listing([file('/d/a', 'v1', 10)]));
    assert.equal(table.entries.size, 0);
  });

  test('a page-cache reader of an old version: entries show its size while it is open, the new one after its release', () => {
    const { table, cache, pageCache, fast, check } = setup();
    const v1 = file('/d/a', 'v1', 10);
    cache.setListing('/d', listing([v1]));
    assert.equal(table.getattr('/d/a')?.size, 10, 'the kernel is told v1\'s size by C');
    // EddyFilesystem.open: remove (recording what the entry told), the policy's open, mirror.
    fast.remove('/d/a');
    assert.deepEqual(pageCache.open('/d/a', 1, v1), { directIo: false, keepCache: false }, 'the size C told lets it use the page cache');
    fast.mirror('/d/a');
    check();
    // The object changes; the new listing arrives while the handle is open.
    const v2 = file('/d/a', 'v2', 30);
    cache.setListing('/d', listing([v2]));
    assert.equal(table.getattr('/d/a')?.size, 10, 'v1\'s size while its page-cache reader holds it');
    check();
    // Another process opens v2: direct_io, and stat still shows v1.
    fast.remove('/d/a');
    assert.equal(pageCache.open('/d/a', 2, v2).directIo, true);
    fast.mirror('/d/a');
    assert.equal(table.getattr('/d/a')?.size, 10);
    check();
    // The v2 reader closes first: nothing changes for stat, the entry stays as it was.
    const before = table.entries.get('/d/a');
    fast.releasing('/d/a', 2, () => pageCache.release('/d/a', 2));
    assert.equal(table.entries.get('/d/a'), before, 'the same entry, not removed and put again');
    check();
    // The v1 reader closes: v2 from then on.
    fast.releasing('/d/a', 1, () => pageCache.release('/d/a', 1));
    assert.equal(table.getattr('/d/a')?.size, 30);
    check();
  });

  test('the release of a handle of the current version leaves its entry, and with it the size it told', () => {
    const { table, cache, pageCache, fast, check } = setup();
    const v1 = file('/d/a', 'v1', 10);
    cache.setListing('/d', listing([v1]));
    table.getattr('/d/a');
    fast.remove('/d/a');
    assert.equal(pageCache.open('/d/a', 1, v1).directIo, false);
    fast.mirror('/d/a');
    // Two page-cache readers; the kernel asks again while they read.
    fast.remove('/d/a');
    assert.equal(pageCache.open('/d/a', 2, v1).directIo, false);
    fast.mirror('/d/a');
    table.getattr('/d/a');
    let calls = 0;
    for (const fd of [1, 2]) {
      const entry = table.entries.get('/d/a');
      fast.releasing('/d/a', fd, () => { calls++; pageCache.release('/d/a', fd); });
      assert.equal(table.entries.get('/d/a'), entry, `release of ${fd}: the entry stays`);
      check();
    }
    assert.equal(calls, 2, 'each release ran once');
    // The next open still finds the size the entry told the kernel (its removal records it).
    fast.remove('/d/a');
    assert.deepEqual(pageCache.open('/d/a', 3, v1), { directIo: false, keepCache: true });
    check();
  });

  test('a release with no live attribute (expired, or never cached) still runs, and puts nothing', () => {
    const { table, pageCache, fast } = setup();
    const v1 = file('/d/a', 'v1', 10);
    pageCache.told('/d/a', 10);
    pageCache.open('/d/a', 1, v1);
    let released = false;
    fast.releasing('/d/a', 1, () => { released = true; pageCache.release('/d/a', 1); });
    assert.ok(released);
    assert.equal(table.entries.size, 0);
  });

  test('an entry that answered nothing leaves the size the kernel holds unknown: the open is direct_io', () => {
    const { cache, pageCache, fast } = setup();
    const v1 = file('/d/a', 'v1', 10);
    cache.setListing('/d', listing([v1]));
    fast.remove('/d/a');
    assert.equal(pageCache.open('/d/a', 1, v1).directIo, true);
  });

  test('JS answered (expired entry, or none): the old entry\'s told size is recorded before the new one', () => {
    const { table, cache, pageCache, fast, check } = setup();
    const v1 = file('/d/a', 'v1', 10);
    cache.setListing('/d', listing([v1]));
    table.getattr('/d/a');
    // EddyFilesystem.#report: remove, toReport (records the size told now), reported.
    fast.remove('/d/a');
    const shown = pageCache.toReport('/d/a', v1);
    fast.reported(v1, stat(shown));
    assert.equal(table.getattr('/d/a')?.size, 10);
    check();
    // An answer from an attribute the cache no longer holds is not put.
    const stale = file('/d/a', 'v0', 5);
    fast.remove('/d/a');
    fast.reported(stale, stat(stale));
    assert.ok(!table.entries.has('/d/a'));
  });
});

// PageCachePolicy: which opens read through the page cache (one version at a time, and only at the
// size the kernel holds), which get direct_io, when cached pages are kept, and what the kernel is told.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PageCachePolicy } from '../src/page-cache-policy.js';

const P = '/m.bin';
const v1 = { version: 'v1', size: 48 };
const v2 = { version: 'v2', size: 40 };
const v2same = { version: 'v2', size: 48 };
const PAGE = { directIo: false, keepCache: false };
const PAGE_KEEP = { directIo: false, keepCache: true };
const DIRECT = { directIo: true, keepCache: true };

function policy(keepCacheAcrossOpens = true, maxPaths = 10): PageCachePolicy {
  return new PageCachePolicy({ keepCacheAcrossOpens, maxPaths });
}

describe('PageCachePolicy', () => {
  test('the only version open, at the kernel\'s size, reads through the page cache; its pages are kept while it stays cached', () => {
    const p = policy();
    p.toReport(P, v1);
    assert.deepEqual(p.open(P, 1, v1), PAGE, 'first open: nothing of v1 cached yet');
    assert.deepEqual(p.open(P, 2, v1), PAGE_KEEP);
    p.release(P, 1);
    p.release(P, 2);
    assert.deepEqual(p.open(P, 3, v1), PAGE_KEEP, 'after the last close the pages are still v1\'s');
  });

  test('a handle whose pages were all cached makes the next open of that version skip the read at open', () => {
    const p = policy();
    p.toReport(P, v1);
    const first = p.open(P, 1, v1);
    assert.equal(p.servedByPageCache(P, first), false, 'first open: nothing cached');
    p.release(P, 1, true);
    const second = p.open(P, 2, v1);
    assert.equal(p.servedByPageCache(P, second), false, 'the last handle\'s reads reached the mount: pages not cached');
    p.release(P, 2, false);
    const third = p.open(P, 3, v1);
    assert.equal(p.servedByPageCache(P, third), true, 'the last handle read nothing from the mount: its pages are cached');
    const other = p.open(P, 4, v2same);
    assert.equal(p.servedByPageCache(P, other), false, 'another version (direct_io) is read at open');
  });

  test('a new version opened while the old one is open gets direct_io and leaves the old pages alone', () => {
    const p = policy();
    p.toReport(P, v1);
    p.open(P, 1, v1);
    assert.deepEqual(p.toReport(P, v2same), v1, 'while v1 is read through the page cache the kernel is told v1');
    assert.deepEqual(p.open(P, 2, v2same), DIRECT);
    assert.deepEqual(p.open(P, 3, v1), DIRECT, 'v1 again, but v2 is open too');
    p.release(P, 1);
    p.release(P, 3);
    assert.deepEqual(p.toReport(P, v2same), v2same);
    assert.deepEqual(p.open(P, 4, v2same), PAGE, 'only v2 open now: page cache, v1\'s pages dropped');
    assert.deepEqual(p.open(P, 5, v2same), PAGE_KEEP);
  });

  test('a version of another size than the kernel holds is opened direct_io until the kernel is told its size', () => {
    const p = policy();
    p.toReport(P, v1);
    assert.deepEqual(p.open(P, 1, v2), DIRECT, 'the kernel still holds 48, v2 is 40 bytes');
    p.release(P, 1);
    p.toReport(P, v2);
    assert.deepEqual(p.open(P, 2, v2), PAGE);
    assert.deepEqual(policy().open('/never-reported', 1, v1), DIRECT, 'a size the kernel was never told: direct_io');
  });

  test('while page-cache handles of a version are open, the kernel is told that version whatever the current one is', () => {
    const p = policy();
    p.toReport(P, v1);
    p.open(P, 1, v1);
    assert.deepEqual(p.toReport(P, v2), v1, 'smaller current version: the reader of v1 is not cut short');
    assert.deepEqual(p.toReport(P, { version: 'v3', size: 60 }), v1, 'larger: the reader of v1 does not read past its end');
    p.release(P, 1);
    assert.deepEqual(p.toReport(P, v2), v2, 'no page-cache reader left: the current version');
  });

  test('without kernel_cache / auto_cache every page-cache open drops the pages', () => {
    const p = policy(false);
    p.toReport(P, v1);
    p.open(P, 1, v1);
    assert.deepEqual(p.open(P, 2, v1), PAGE);
  });

  test('a path forgotten by the LRU is opened direct_io until reported again', () => {
    const p = policy(true, 1);
    p.toReport(P, v1);
    p.open(P, 1, v1);
    p.release(P, 1);
    p.toReport('/other', v1);
    assert.deepEqual(p.open(P, 3, v1), DIRECT);
  });
});

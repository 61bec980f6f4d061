import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger, NotFoundError, ValidationError, UnavailableError } from '@eddy/core';
import { type UfsListEntry, type UnderFileSystem } from '@eddy/ufs';
import { waitFor } from '@eddy/testkit';
import { DatasetNamespace, MAX_PAGE_SIZE } from '../src/namespace/dataset-namespace.js';
import { NamespaceManager } from '../src/namespace/namespace-manager.js';

function ufsOf(objects: () => string[]): UnderFileSystem {
  return {
    description: 'memory://test',
    stat: () => Promise.reject(new Error('unused')),
    read: () => Promise.reject(new Error('unused')),
    close: () => Promise.resolve(),
    async *list(): AsyncIterable<UfsListEntry> {
      for (const p of objects()) yield { path: p, size: p.length, version: `v-${p}`, mtimeMs: 1 };
    },
  };
}

test('namespace manager: interval refresh picks up new objects; a mountless refresh keeps the old listing', { timeout: 20_000 }, async () => {
  const objects = ['a/b/c.txt', 'top.txt'];
  const mgr = new NamespaceManager({ createUfs: () => ufsOf(() => objects), logger: silentLogger(), refreshIntervalMs: 100 });
  try {
    const ns = mgr.ensure('ds', [{ url: 'memory://x', path: '/', options: {} }]);
    await mgr.refresh('ds');
    assert.equal(ns.fileCount, 2);
    assert.equal(ns.totalBytes, 'a/b/c.txt'.length + 'top.txt'.length);
    assert.deepEqual(ns.list('/').entries.map((e) => `${e.path}:${e.isDir}`), ['/a:true', '/top.txt:false']);
    assert.throws(() => ns.list('/top.txt'), ValidationError);
    assert.throws(() => ns.list('/nope'), NotFoundError);
    assert.deepEqual(ns.filesUnder('/a').map((f) => f.path), ['/a/b/c.txt']);
    objects.push('a/new.bin');
    await waitFor(() => ns.stat('/a/new.bin'), { timeoutMs: 3000, what: 'interval refresh' });
    // Mounts that cannot be resolved never replace a good listing with an empty one.
    ns.setMounts([]);
    await assert.rejects(ns.refresh(), UnavailableError);
    assert.equal(ns.fileCount, 3);
    assert.match(ns.lastError ?? '', /no usable mounts/);
  } finally {
    mgr.close();
  }
});

test('dataset namespace: mounts at sub-paths, page size clamp, tokens stable across refresh', async () => {
  let objects = Array.from({ length: 12_000 }, (_, i) => `f${String(i).padStart(5, '0')}`);
  const ns = new DatasetNamespace({
    dataset: 'two', logger: silentLogger(), createUfs: (cfg) => ufsOf(() => (cfg.url.endsWith('one') ? objects : ['x.txt'])),
    mounts: [{ url: 'memory://one', path: '/one', options: {} }, { url: 'memory://two', path: '/two', options: {} }],
  });
  await ns.refresh();
  assert.deepEqual(ns.list('/').entries.map((e) => e.path), ['/one', '/two']);
  assert.equal(ns.stat('/two/x.txt')?.size, 5);
  const first = ns.list('/one', '', 50_000);
  assert.equal(first.entries.length, MAX_PAGE_SIZE);
  assert.equal(first.nextPageToken, 'f09999');
  // An object before the token appears between pages: the next page still starts after the token.
  objects = ['f00000a', ...objects];
  await ns.refresh();
  const second = ns.list('/one', first.nextPageToken, 0);
  assert.equal(second.entries[0]?.path, '/one/f10000');
  assert.equal(second.entries.length, 1000, 'page size 0 means the default, 1000');
  assert.equal(second.nextPageToken, 'f10999');
  assert.equal(ns.list('/one', second.nextPageToken, 5000).nextPageToken, '');
});

test("namespace manager: a client's refresh reuses a listing younger than the on-demand interval; an admin's always lists", async () => {
  let listings = 0;
  const objects = ['a.bin'];
  const createUfs = (): UnderFileSystem => ufsOf(() => { listings++; return objects; });
  const mgr = new NamespaceManager({ createUfs, logger: silentLogger(), minOnDemandRefreshMs: 60_000 });
  try {
    mgr.ensure('ds', [{ url: 'memory://x', path: '/', options: {} }]);
    assert.deepEqual(await mgr.refreshUnlessRecent('ds'), { files: 1, bytes: 'a.bin'.length }, 'never listed: lists');
    assert.equal(listings, 1);
    objects.push('b.bin');
    assert.deepEqual(await mgr.refreshUnlessRecent('ds'), { files: 1, bytes: 'a.bin'.length }, 'listed just now: answered from it');
    assert.equal(listings, 1);
    assert.equal((await mgr.refresh('ds')).files, 2, 'a forced refresh lists');
    assert.equal(listings, 2);
  } finally {
    mgr.close();
  }
});

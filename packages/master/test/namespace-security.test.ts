// Issue 8, bad input in listings and lookups: object keys with '.', '..', empty or NUL segments
// (legal in S3) never enter the namespace and never fail the listing of the good objects; lookups
// with such paths are ValidationErrors, never a way out of the dataset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EddyError, silentLogger, ValidationError } from '@eddy/core';
import { type UfsListEntry, type UnderFileSystem } from '@eddy/ufs';
import { DatasetNamespace, normalizeDatasetPath } from '../src/namespace/dataset-namespace.js';

function ufsOf(keys: string[]): UnderFileSystem {
  return {
    description: 'memory://hostile',
    stat: () => Promise.reject(new Error('unused')),
    read: () => Promise.reject(new Error('unused')),
    close: () => Promise.resolve(),
    async *list(): AsyncIterable<UfsListEntry> {
      for (const p of keys) yield { path: p, size: 1, version: `v-${p}`, mtimeMs: 1 };
    },
  };
}

const HOSTILE = ['a/../b.txt', '../up.txt', '../../etc/passwd', './x.txt', 'x/./y.txt', 'x/..', '..', '.', 'nul\0.txt', 'd/\0/e'];

test('hostile object keys are left out; the good objects of the same listing are served', async () => {
  const ns = new DatasetNamespace({
    dataset: 'ds', logger: silentLogger(), createUfs: () => ufsOf(['ok.txt', ...HOSTILE, 'sub/fine.bin', 'c//d.txt', 'ctl\u0001.txt']),
    mounts: [{ url: 'memory://x', path: '/', options: {} }],
  });
  await ns.refresh();
  const paths = [...ns.allFiles()].map((f) => f.path).sort();
  // Doubled slashes normalise; other printable names (control characters included) stay as they are.
  assert.deepEqual(paths, ['/c/d.txt', '/ctl\u0001.txt', '/ok.txt', '/sub/fine.bin']);
  for (const p of paths) assert.ok(!p.split('/').some((s) => s === '.' || s === '..') && !p.includes('\0'));
  assert.deepEqual(ns.list('/').entries.map((e) => e.path), ['/c', '/ctl\u0001.txt', '/ok.txt', '/sub']);
});

test('lookups with dot segments are ValidationErrors, at the root of a sub-path mount too', async () => {
  const ns = new DatasetNamespace({
    dataset: 'ds', logger: silentLogger(), createUfs: () => ufsOf(['a.txt']),
    mounts: [{ url: 'memory://x', path: '/m', options: {} }],
  });
  await ns.refresh();
  assert.equal(ns.stat('/m/a.txt')?.size, 1);
  for (const p of ['/m/../m/a.txt', '/..', '..', '/m/./a.txt', '/m/a.txt/..', '../../etc/passwd']) {
    assert.throws(() => ns.stat(p), ValidationError, p);
    assert.throws(() => ns.list(p), ValidationError, p);
    assert.throws(() => ns.filesUnder(p), ValidationError, p);
  }
});

test('normalizeDatasetPath: any result is absolute and free of dot segments, or it throws ValidationError (property)', () => {
  const seg = fc.oneof(fc.constantFrom('', '.', '..', '...', 'a', '.a', 'a..', '%2e%2e', '\\..'), fc.string({ maxLength: 6 }));
  fc.assert(fc.property(fc.array(seg, { maxLength: 8 }), fc.boolean(), (segs, lead) => {
    const input = (lead ? '/' : '') + segs.join('/');
    try {
      const out = normalizeDatasetPath(input);
      assert.ok(out.startsWith('/'));
      assert.ok(!out.split('/').some((s) => s === '.' || s === '..'), out);
      assert.ok(out === '/' || !out.endsWith('/'));
    } catch (err) {
      assert.ok(err instanceof EddyError && err instanceof ValidationError, String(err));
      // Judge by the joined input: a random segment may itself hold a '/' (e.g. "/.").
      assert.ok(input.split('/').some((s) => s === '.' || s === '..'), input);
    }
  }), { numRuns: 1000 });
});

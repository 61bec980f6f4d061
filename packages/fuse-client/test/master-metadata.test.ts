// MasterMetadata's directory listings against an in-test master (interface-typed, no gRPC): a
// directory read brings its subtree in one List, every directory of it is then answered from the
// cache, a subtree entry outside the listed directory is ignored, and prefetches ask no subtree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MasterRpc, proto } from '@eddy/protocol';
import { MasterMetadata } from '../src/master-metadata.js';
import { MetadataCache } from '../src/metadata-cache.js';
import { ListedLocations } from '../src/listed-locations.js';

type ListRequest = proto.ListRequest;
type ListResponse = proto.ListResponse__Output;

const file = (path: string, size = 10): proto.FileInfo__Output => ({ path, size, version: `v-${path}`, mtimeMs: 1, isDir: false, versionId: '' });
const dir = (path: string): proto.FileInfo__Output => ({ path, size: 0, version: '', mtimeMs: 0, isDir: true, versionId: '' });
const located = (files: proto.FileInfo__Output[]): proto.ListedBlocks__Output[] => files.filter((f) => !f.isDir)
  .map((f) => ({ path: f.path, blocks: [{ index: 0, key: `k-${f.path}`, length: f.size, holders: [], preferred: null }] }));

/** A tree served the way the master does: per directory, and with subdirs when asked. */
const TREE: Record<string, proto.FileInfo__Output[]> = {
  '/': [dir('/data')],
  '/data': [dir('/data/d1'), dir('/data/d2'), file('/data/top.bin')],
  '/data/d1': [file('/data/d1/a'), file('/data/d1/b')],
  '/data/d2': [file('/data/d2/c')],
};

function fakeMaster(opts: { rogue?: boolean } = {}): { master: Pick<MasterRpc, 'stat' | 'list' | 'listWorkers'>; asked: ListRequest[] } {
  const asked: ListRequest[] = [];
  const master: Pick<MasterRpc, 'stat' | 'list' | 'listWorkers'> = {
    stat: async (req) => ({ info: req.path === '/data' ? dir('/data') : null }),
    listWorkers: async () => ({ workers: [] }),
    list: async (req): Promise<ListResponse> => {
      asked.push(req);
      const entries = TREE[req.path ?? ''] ?? [];
      const res: ListResponse = { entries, nextPageToken: '', located: located(entries), blockSize: 1024, subdirs: [] };
      if ((req.subtreeEntries ?? 0) > 0) {
        for (const d of entries.filter((e) => e.isDir)) {
          res.subdirs.push({ path: d.path, entries: TREE[d.path] ?? [], located: located(TREE[d.path] ?? []) });
        }
        // A master gone wrong: a directory outside the one listed, and one named with `..`.
        if (opts.rogue) {
          res.subdirs.push({ path: '/elsewhere', entries: [file('/elsewhere/x')], located: [] });
          res.subdirs.push({ path: '/data/../etc', entries: [file('/etc/passwd')], located: [] });
        }
      }
      return res;
    },
  };
  return { master, asked };
}

function metadata(master: Pick<MasterRpc, 'stat' | 'list' | 'listWorkers'>, listSubtreeEntries: number): { md: MasterMetadata; cache: MetadataCache; loc: ListedLocations } {
  const cache = new MetadataCache({ attrTimeoutSec: 60, entryTimeoutSec: 60, negativeTimeoutSec: 60, maxEntries: 1000 });
  const loc = new ListedLocations({
    master, dataset: 'ds', locateBlocks: 1, maxAgeMs: 60_000, maxEntries: 100, listPageSize: 1000, masterTimeoutMs: 1000,
    dirSize: (d) => cache.getListing(d)?.names.length,
  });
  const md = new MasterMetadata({
    master, dataset: 'ds', runtime: 'ds', cache, masterTimeoutMs: 1000, listPageSize: 1000, listSubtreeEntries, statfsCacheMs: 1000,
    prefetchSubdirs: 16, prefetchSubdirConcurrency: 2, located: loc,
  });
  return { md, cache, loc };
}

test('a directory read brings its subtree: the walk below it asks the master nothing more', async () => {
  const { master, asked } = fakeMaster();
  const { md, loc } = metadata(master, 4096);
  const top = await md.listDir('/data');
  assert.deepEqual(top.names, ['d1', 'd2', 'top.bin']);
  assert.equal(asked.length, 1);
  assert.equal(asked[0]?.subtreeEntries, 4096);
  assert.deepEqual((await md.listDir('/data/d1')).names, ['a', 'b']);
  assert.deepEqual((await md.listDir('/data/d2')).names, ['c']);
  assert.equal((await md.lookup('/data/d1/b')).size, 10);
  assert.equal(asked.length, 1, 'every directory and file below came with the first List');
  assert.equal(md.calls.list, 1);
  // The subtree's locations serve opens too.
  assert.equal(loc.peek('/data/d2/c')?.[0]?.key, 'k-/data/d2/c');
});

test('with listSubtreeEntries 0 each directory is its own List, and prefetches never ask a subtree', async () => {
  const { master, asked } = fakeMaster();
  const { md } = metadata(master, 0);
  const top = await md.listDir('/data');
  md.prefetchSubdirs(top);
  assert.deepEqual((await md.listDir('/data/d1')).names, ['a', 'b']);
  assert.deepEqual((await md.listDir('/data/d2')).names, ['c']);
  assert.deepEqual(asked.map((r) => `${r.path}:${r.subtreeEntries}`).sort(), ['/data/d1:0', '/data/d2:0', '/data:0']);
});

test('subtree entries outside the listed directory are ignored', async () => {
  const { master } = fakeMaster({ rogue: true });
  const { md, cache } = metadata(master, 4096);
  await md.listDir('/data');
  assert.ok(cache.getListing('/data/d1'));
  assert.equal(cache.getListing('/elsewhere'), undefined);
  assert.equal(cache.getListing('/data/../etc'), undefined);
  assert.equal(cache.getListing('/etc'), undefined);
  assert.equal(cache.getAttr('/etc/passwd'), undefined);
  assert.equal(cache.getAttr('/elsewhere/x'), undefined);
});

// List with subtree_entries: the first page of a directory also brings the directories below it,
// breadth first, each one whole, within the entry budget; later pages and budget 0 bring none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@eddy/core';
import { createMasterClient } from '@eddy/protocol';
import { startMaster } from '../src/index.js';

const TOKEN = 'list-subtree-token';

const MANIFESTS = (ufsDir: string): string => `
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata:
  name: tree
spec:
  mounts:
    - mountPoint: file://${ufsDir}
      name: local
      path: /
---
apiVersion: data.fluid.io/v1alpha1
kind: JindoRuntime
metadata:
  name: tree
spec:
  replicas: 1
  blockSize: 1Mi
  tieredstore:
    levels:
      - mediumtype: MEM
        path: /dev/shm
        quota: 1Gi
`;

test('List brings the directories below, breadth first, each whole, within subtree_entries', { timeout: 30_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'eddy-subtree-'));
  const ufs = join(root, 'ufs');
  // /top.txt, /a/{1,2}.txt, /a/deep/{x,y,z}.txt, /b/3.txt, /big/{0..5}.txt
  for (const [dir, files] of [['', ['top.txt']], ['a', ['1.txt', '2.txt']], ['a/deep', ['x.txt', 'y.txt', 'z.txt']], ['b', ['3.txt']],
    ['big', ['0.txt', '1.txt', '2.txt', '3.txt', '4.txt', '5.txt']]] as Array<[string, string[]]>) {
    await mkdir(join(ufs, dir), { recursive: true });
    for (const f of files) await writeFile(join(ufs, dir, f), f);
  }
  const master = await startMaster({ listen: '127.0.0.1:0', dataDir: join(root, 'data'), token: TOKEN, logger: silentLogger() });
  const cli = createMasterClient(master.address, { token: TOKEN });
  try {
    await cli.apply({ manifests: MANIFESTS(ufs) });
    const list = async (path: string, subtreeEntries: number, pageSize = 0, pageToken = ''): Promise<Awaited<ReturnType<typeof cli.list>>> =>
      await cli.list({ dataset: 'tree', path, pageToken, pageSize, locateBlocks: 1, subtreeEntries });
    const shape = (res: Awaited<ReturnType<typeof cli.list>>): string[] =>
      res.subdirs.map((d) => `${d.path}: ${d.entries.map((e) => e.path.slice(d.path.length + 1) + (e.isDir ? '/' : '')).join(' ')}`);

    // Everything: breadth first (a, b, big before a/deep).
    const all = await list('/', 100);
    assert.deepEqual(all.entries.map((e) => e.path), ['/a', '/b', '/big', '/top.txt']);
    assert.deepEqual(shape(all), ['/a: 1.txt 2.txt deep/', '/b: 3.txt', '/big: 0.txt 1.txt 2.txt 3.txt 4.txt 5.txt', '/a/deep: x.txt y.txt z.txt']);
    // Located like the page's own files, for the same block size.
    assert.equal(all.blockSize, 1024 * 1024);
    assert.deepEqual(all.subdirs[0]?.located.map((f) => [f.path, f.blocks.length]), [['/a/1.txt', 1], ['/a/2.txt', 1]]);
    // A budget of 5 entries: /a (3) and /b (1) fit, /big (6) does not and is skipped whole, /a/deep (3) no longer fits.
    assert.deepEqual(shape(await list('/', 5)), ['/a: 1.txt 2.txt deep/', '/b: 3.txt']);
    // A budget of 7: after /a and /b, /big is skipped, /a/deep fits.
    assert.deepEqual(shape(await list('/', 7)), ['/a: 1.txt 2.txt deep/', '/b: 3.txt', '/a/deep: x.txt y.txt z.txt']);
    // Below a subdirectory only its own tree.
    assert.deepEqual(shape(await list('/a', 100)), ['/a/deep: x.txt y.txt z.txt']);
    // Not asked, or not the first page: none.
    assert.deepEqual((await list('/', 0)).subdirs, []);
    const first = await list('/', 100, 2);
    assert.deepEqual(shape(first), ['/a: 1.txt 2.txt deep/', '/b: 3.txt', '/a/deep: x.txt y.txt z.txt'],
      'the first page brings the trees of its own entries only');
    const second = await list('/', 100, 2, first.nextPageToken);
    assert.deepEqual(second.entries.map((e) => e.path), ['/big', '/top.txt']);
    assert.deepEqual(second.subdirs, []);
  } finally {
    cli.close();
    await master.close();
    await rm(root, { recursive: true, force: true });
  }
});

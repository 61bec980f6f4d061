// 100,000 objects: the listing is built, served and paginated from memory. Prints the figures
// quoted in packages/master/README.md (list time, master RSS growth); asserts behaviour, not speed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMasterClient } from '@eddy/protocol';
import { silentLogger } from '@eddy/core';
import { type UfsListEntry, type UnderFileSystem } from '@eddy/ufs';
import { startMaster } from '../src/index.js';

const N = 100_000;
const TOKEN = 'scale-token';

// A synthetic bucket: 100 top directories × 10 subdirectories × 100 files, with ETags.
function syntheticUfs(): UnderFileSystem {
  return {
    description: 'synthetic://100k',
    stat: () => Promise.reject(new Error('not used')),
    read: () => Promise.reject(new Error('not used')),
    close: () => Promise.resolve(),
    async *list(): AsyncIterable<UfsListEntry> {
      for (let i = 0; i < N; i++) {
        yield { path: `d${String(i % 100).padStart(3, '0')}/s${(i >> 7) % 10}/file-${String(i).padStart(6, '0')}.bin`, size: 1000 + (i % 997), version: `"etag-${i}"`, mtimeMs: 1_700_000_000_000 + i };
      }
    },
  };
}

test('namespace: 100,000 objects list, stat and paginate from memory', { timeout: 120_000 }, async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'eddy-scale-'));
  const master = await startMaster({ listen: '127.0.0.1:0', dataDir: join(root, 'data'), token: TOKEN, logger: silentLogger(), createUfs: () => syntheticUfs() });
  const cli = createMasterClient(master.address, { token: TOKEN });
  try {
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const heapBefore = process.memoryUsage().heapUsed;
    await cli.apply({ manifests: `
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata:
  name: big
spec:
  mounts:
    - mountPoint: s3://synthetic/x
      name: big
` });
    const t0 = performance.now();
    const r = await cli.refresh({ dataset: 'big' });
    const listMs = performance.now() - t0;
    assert.equal(r.files, N);
    global.gc?.();
    const rssAfter = process.memoryUsage().rss;
    const heapAfter = process.memoryUsage().heapUsed;

    // Stat latency over gRPC (served from memory).
    const s0 = performance.now();
    for (let i = 0; i < 200; i++) {
      const k = (i * 499) % N;
      const info = (await cli.stat({ dataset: 'big', path: `/d${String(k % 100).padStart(3, '0')}/s${(k >> 7) % 10}/file-${String(k).padStart(6, '0')}.bin` })).info;
      assert.equal(info?.version, `"etag-${k}"`);
    }
    const statMs = (performance.now() - s0) / 200;

    // Walk the whole tree with List pages of 1000 and count files.
    const w0 = performance.now();
    let files = 0;
    let calls = 0;
    const dirs = ['/'];
    while (dirs.length > 0) {
      const dir = dirs.pop() as string;
      let token = '';
      do {
        const page = await cli.list({ dataset: 'big', path: dir, pageToken: token, pageSize: 1000 });
        calls++;
        for (const e of page.entries) if (e.isDir) dirs.push(e.path); else files++;
        token = page.nextPageToken;
      } while (token);
    }
    const walkMs = performance.now() - w0;
    assert.equal(files, N);

    // Status over the full listing (computes every current block key once per generation).
    const g0 = performance.now();
    const ds = (await cli.get({ kind: 'dataset', name: 'big' })).resources[0]?.dataset?.status;
    const statusMs = performance.now() - g0;
    assert.equal(ds?.fileNum, N);

    const figures = {
      objects: N,
      listAndIndexMs: Math.round(listMs),
      rssGrowthMiB: Math.round((rssAfter - rssBefore) / 1048576),
      heapGrowthMiB: Math.round((heapAfter - heapBefore) / 1048576),
      rssMiB: Math.round(rssAfter / 1048576),
      statAvgMs: Number(statMs.toFixed(3)),
      fullWalkMs: Math.round(walkMs),
      listCalls: calls,
      firstStatusMs: Math.round(statusMs),
    };
    t.diagnostic(`namespace figures: ${JSON.stringify(figures)}`);
  } finally {
    cli.close();
    await master.close();
    await rm(root, { recursive: true, force: true });
  }
});

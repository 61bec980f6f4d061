// The one-step read-through of a small block (read-through/small-block-fetch.ts): the reader gets
// every byte from the GET's memory, the tier file is written once, named by its CRC32C and
// verifiable; a changed object fails with VersionMismatchError and leaves nothing; a tier file
// that cannot be written leaves no file and no reservation, and the reader still gets its bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { fileVersion } from '@eddy/ufs';
import { UnavailableError, VersionMismatchError } from '@eddy/core';
import { waitFor } from '@eddy/testkit';
import { validateBlockRef } from '../src/index.js';
import { BlockFetch } from '../src/read-through/block-fetch.js';
import { CountingUfs, bytesFor, collect, makeNode, refsFor, tempDir, walk } from './helpers.js';

const BS = 4 * 1024 * 1024;
const SIZE = 64 * 1024 + 123;

async function setup(tier: 'MEM' | 'SSD' = 'MEM') {
  const ufsDir = await tempDir('eddy-ufs-');
  const tierDir = await tempDir();
  const data = bytesFor('small', SIZE);
  await writeFile(join(ufsDir.path, 's.bin'), data);
  const version = fileVersion(await stat(join(ufsDir.path, 's.bin'), { bigint: true }));
  const node = await makeNode({
    tiers: [{ medium: tier, path: tierDir.path, quotaBytes: 64 * SIZE, high: 0.95, low: 0.7 }],
    mount: { url: `file://${ufsDir.path}` },
    // Held back a little, so that concurrent readers all join the one fetch.
    wrap: (u) => new CountingUfs(u, { delayMs: 20 }),
    blockSize: BS,
  });
  const ref = validateBlockRef(refsFor('/s.bin', version, data.length, BS)[0]!);
  return {
    node, data, ref, ufsDir, tierDir,
    async cleanup() { await node.close(); await ufsDir.cleanup(); await tierDir.cleanup(); },
  };
}

for (const medium of ['MEM', 'SSD'] as const) {
  test(`a small block (${medium}) is read in one GET from memory and stored as a verifiable file`, async () => {
    const s = await setup(medium);
    try {
      const reads = await Promise.all(Array.from({ length: 4 }, (_, i) => s.node.service.read(s.ref, i * 100, SIZE)));
      assert.ok(reads.every((r) => r.kind === 'stream'));
      const bodies = await Promise.all(reads.map(collect));
      bodies.forEach((b, i) => assert.ok(b.equals(s.data.subarray(i * 100)), `reader ${i} bytes`));
      assert.equal(s.node.ufs!.reads, 1, 'one GET for every reader');
      await waitFor(() => s.node.readThrough.inflightCount === 0, { what: 'fetch settled' });
      assert.ok(s.node.store.has(s.ref.key));
      const files = await walk(join(s.tierDir.path, 'eddy'));
      assert.equal(files.length, 1, 'one block file, no temp file');
      assert.equal(files[0]!.name, `${s.ref.key}.${crc32c(s.data).toString(16).padStart(8, '0')}`, 'named by the CRC32C of its bytes');
      assert.ok((await readFile(files[0]!.path)).equals(s.data));
      assert.equal(s.node.store.snapshot()[0]!.usedBytes, SIZE);
      assert.equal(s.node.store.snapshot()[0]!.reservedBytes, 0);
      // A local reader always gets a verified file: this one passes.
      const local = await s.node.service.openLocal(s.ref);
      assert.ok(local);
      local.release();
      const again = await s.node.service.read(s.ref, 0, SIZE);
      assert.equal(again.kind, 'file');
      assert.ok((await collect(again)).equals(s.data));
      assert.equal(s.node.ufs!.reads, 1, 'the cached block does not touch the UFS');
      assert.deepEqual(s.node.store.drainDelta().added, [s.ref.key], 'reported to the master');
    } finally { await s.cleanup(); }
  });
}

test('a small block of a changed object fails with VersionMismatchError and leaves nothing', async () => {
  const s = await setup();
  try {
    await new Promise((r) => setTimeout(r, 15));
    await writeFile(join(s.ufsDir.path, 's.bin'), bytesFor('small-v2', SIZE));
    await assert.rejects(collect(await s.node.service.read(s.ref, 0, SIZE)), VersionMismatchError);
    await waitFor(() => s.node.readThrough.inflightCount === 0, { what: 'fetch settled' });
    assert.equal(s.node.store.blockCount, 0);
    assert.equal(s.node.store.snapshot()[0]!.usedBytes, 0, 'the reservation is given back');
    assert.deepEqual(await walk(join(s.tierDir.path, 'eddy')), []);
  } finally { await s.cleanup(); }
});

test('a tier file that cannot be written leaves no file and no reservation; the reader still gets its bytes', async () => {
  const s = await setup();
  try {
    // A plain file where the block's shard directory should be: creating the block file fails.
    const runtimeDir = join(s.tierDir.path, 'eddy', 'rt');
    await writeFile(join(runtimeDir, s.ref.key.slice(0, 2)), 'in the way');
    const read = await s.node.service.read(s.ref, 0, SIZE);
    const loaded = s.node.readThrough.fetch(s.ref);
    const body = await collect(read);
    assert.ok(body.equals(s.data));
    assert.equal((await loaded.done).stored, false, 'not cached');
    assert.equal(s.node.store.has(s.ref.key), false);
    assert.equal(s.node.store.snapshot()[0]!.usedBytes, 0, 'the reservation is given back');
    assert.deepEqual((await walk(runtimeDir)).map((f) => f.name), [s.ref.key.slice(0, 2)], 'no block or temp file');
  } finally { await s.cleanup(); }
});

test('with smallBlockBytes 0 a small block takes the block-file path and is stored the same', async () => {
  const ufsDir = await tempDir('eddy-ufs-');
  const tierDir = await tempDir();
  try {
    const data = bytesFor('small', SIZE);
    await writeFile(join(ufsDir.path, 's.bin'), data);
    const version = fileVersion(await stat(join(ufsDir.path, 's.bin'), { bigint: true }));
    const node = await makeNode({
      tiers: [{ medium: 'MEM', path: tierDir.path, quotaBytes: 64 * SIZE, high: 0.95, low: 0.7 }],
      mount: { url: `file://${ufsDir.path}` }, blockSize: BS, readThrough: { smallBlockBytes: 0 },
    });
    try {
      const ref = validateBlockRef(refsFor('/s.bin', version, data.length, BS)[0]!);
      const fetch = node.readThrough.fetch(ref);
      let peak = 0;
      const sampler = setInterval(() => { peak = Math.max(peak, fetch.heldBytes); }, 1);
      assert.equal((await fetch.done).stored, true);
      clearInterval(sampler);
      assert.equal(peak, 0, 'bytes go to the block file, not into memory');
      assert.ok((await collect(await node.service.read(ref, 0, SIZE))).equals(data));
    } finally { await node.close(); }
  } finally { await ufsDir.cleanup(); await tierDir.cleanup(); }
});

// Region chains count on a block leaving the bucket once: two workers of region B asking A's worker
// for one block a moment apart must share A's GET. A small fetch consumed by its first reader
// must still be joinable until it ends (its file is written last), not only while bytes flow.
for (const retain of [true, false]) {
  test(`a reader arriving after a small fetch's bytes were consumed ${retain ? 'joins it' : 'cannot join without retain'}`, async () => {
    const data = bytesFor('late', 3000);
    const ref = validateBlockRef(refsFor('/late.bin', 'v1', data.length, BS)[0]!);
    let commit!: () => void;
    const committed = new Promise<void>((resolve) => { commit = resolve; });
    let start!: () => void;
    const started = new Promise<void>((resolve) => { start = resolve; });
    const f = new BlockFetch(ref, BS, async (_self, control) => {
      const signal = new AbortController().signal;
      await started; // the GET answers once the first reader is there
      await control.push(data.subarray(0, 1000), signal);
      await control.push(data.subarray(1000), signal);
      await committed;
      return true;
    }, (err) => new UnavailableError(String(err)), { retain });
    const reader = f.range(0, data.length);
    start();
    const first = Buffer.concat(await collectAll(reader));
    assert.ok(first.equals(data));
    assert.equal(f.canServe(0), retain, 'joinable while the file is written');
    if (retain) {
      const late = f.range(0, data.length);
      commit();
      assert.ok(Buffer.concat(await collectAll(late)).equals(data), 'the late reader gets every byte');
    } else {
      commit();
    }
    assert.deepEqual(await f.done, { bytes: data.length, stored: true });
    assert.equal(f.heldBytes, 0, 'nothing held once the fetch ended and its readers left');
  });
}

async function collectAll(it: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const b of it) out.push(Buffer.from(b));
  return out;
}

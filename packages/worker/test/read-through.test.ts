// (d) single-flight read-through and failure semantics, against a file:// UFS;
// (c) corruption detection and transparent re-fetch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile, readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileVersion } from '@eddy/ufs';
import { VersionMismatchError, UnavailableError, NotFoundError } from '@eddy/core';
import { waitFor } from '@eddy/testkit';
import { CountingUfs, bytesFor, collect, makeNode, refsFor, tempDir, walk } from './helpers.js';

const BS = 256 * 1024;

async function setup(wrap: { delayMs?: number; failAfterBytes?: number } = {}) {
  const ufsDir = await tempDir('eddy-ufs-');
  const tier = await tempDir();
  const data = bytesFor('file-a', BS * 2 + 12_345);
  await writeFile(join(ufsDir.path, 'a.bin'), data);
  const version = fileVersion(await stat(join(ufsDir.path, 'a.bin'), { bigint: true }));
  const node = await makeNode({
    tiers: [{ medium: 'MEM', path: tier.path, quotaBytes: 8 * BS, high: 0.95, low: 0.7 }],
    mount: { url: `file://${ufsDir.path}` },
    wrap: (u) => new CountingUfs(u, wrap),
  });
  const refs = refsFor('/a.bin', version, data.length, BS);
  return {
    node, data, refs, version, ufsDir, tier,
    async cleanup() { await node.close(); await ufsDir.cleanup(); await tier.cleanup(); },
  };
}

test('N concurrent readers of one missing block share exactly one UFS GET, then it is cached', async () => {
  const s = await setup({ delayMs: 50 });
  try {
    const ref = s.refs[1]!;
    const reads = await Promise.all(Array.from({ length: 16 }, (_, i) => s.node.service.read(ref, i * 1000, BS)));
    assert.ok(reads.every((r) => r.kind === 'stream'));
    const bodies = await Promise.all(reads.map(collect));
    assert.equal(s.node.ufs!.reads, 1, 'one UFS GET for 16 concurrent misses');
    bodies.forEach((b, i) => assert.ok(b.equals(s.data.subarray(BS + i * 1000, 2 * BS)), `reader ${i} bytes`));
    await waitFor(() => s.node.store.has(ref.key), { what: 'block stored' });
    const again = await s.node.service.read(ref, 0, BS);
    assert.equal(again.kind, 'file');
    assert.ok((await collect(again)).equals(s.data.subarray(BS, 2 * BS)));
    assert.equal(s.node.ufs!.reads, 1, 'cached read does not touch the UFS');
    // The short last block.
    const last = await collect(await s.node.service.read(s.refs[2]!, 0, BS));
    assert.ok(last.equals(s.data.subarray(2 * BS)));
    assert.equal(s.node.service.counters.misses, 17);
    assert.equal(s.node.service.counters.hits, 1);
  } finally { await s.cleanup(); }
});

test('first bytes reach the reader before the block is complete', async () => {
  const s = await setup();
  try {
    // The UFS holds back everything after the first 1000 bytes until the reader has its first chunk.
    let open!: () => void;
    const gate = new Promise<void>((r) => { open = r; });
    const node = s.node;
    const ref = s.refs[0]!;
    const { ufs: located } = await node.locator.locate('ds', '/a.bin');
    const inner = located.read.bind(located);
    located.read = async (p, o) => {
      const src = await inner(p, o);
      const all: Buffer[] = [];
      for await (const c of src) all.push(c as Buffer);
      const bytes = Buffer.concat(all);
      return Readable.from((async function* () {
        yield bytes.subarray(0, 1000);
        await gate;
        yield bytes.subarray(1000);
      })());
    };
    const read = await node.service.read(ref, 0, BS);
    assert.equal(read.kind, 'stream');
    const it = (read as { chunks: AsyncIterable<Buffer> }).chunks[Symbol.asyncIterator]();
    const first = await it.next();
    assert.ok(!first.done && first.value.equals(s.data.subarray(0, 1000)), 'first 1000 bytes arrive while the rest is held back');
    assert.equal(node.store.has(ref.key), false, 'block not stored yet');
    open();
    let got = first.value.length;
    for (let r = await it.next(); !r.done; r = await it.next()) got += r.value.length;
    assert.equal(got, BS);
  } finally { await s.cleanup(); }
});

test('a failed fetch leaves no partial block and every reader gets the typed error', async () => {
  const s = await setup({ failAfterBytes: 100_000, delayMs: 20 });
  try {
    const ref = s.refs[0]!;
    const reads = await Promise.all(Array.from({ length: 4 }, () => s.node.service.read(ref, 0, BS)));
    for (const r of reads) await assert.rejects(collect(r), (e: unknown) => e instanceof UnavailableError);
    // By the time a reader has the error, the partial block file is gone.
    assert.deepEqual(await walk(join(s.tier.path, 'eddy')), [], 'no temp or partial files once readers see the error');
    assert.equal(s.node.ufs!.reads, 1);
    await waitFor(() => s.node.readThrough.inflightCount === 0, { what: 'fetch settled' });
    assert.equal(s.node.store.has(ref.key), false);
    assert.equal(s.node.store.snapshot()[0]!.usedBytes, 0);
    assert.deepEqual(await walk(join(s.tier.path, 'eddy')), [], 'no temp or partial files');
  } finally { await s.cleanup(); }
});

test('a changed object fails with VersionMismatchError, a missing one with NotFoundError', async () => {
  const s = await setup();
  try {
    await new Promise((r) => setTimeout(r, 15));
    await writeFile(join(s.ufsDir.path, 'a.bin'), bytesFor('file-a-v2', s.data.length));
    const read = await s.node.service.read(s.refs[0]!, 0, BS);
    await assert.rejects(collect(read), VersionMismatchError);
    const missing = refsFor('/nope.bin', '1-1', 10, BS)[0]!;
    await assert.rejects(collect(await s.node.service.read(missing, 0, 10)), NotFoundError);
    assert.equal(s.node.store.blockCount, 0);
    // A key that does not name its tuple is refused before anything is fetched.
    await assert.rejects(s.node.service.read({ ...s.refs[0]!, key: s.refs[1]!.key }, 0, 1), { code: 'INVALID_ARGUMENT' });
  } finally { await s.cleanup(); }
});

/** Setup with block 0 read through and stored: the block's ref and its bytes. */
async function setupWithBlock0() {
  const s = await setup();
  const ref = s.refs[0]!;
  const want = s.data.subarray(0, BS);
  assert.ok((await collect(await s.node.service.read(ref, 0, BS))).equals(want));
  await waitFor(() => s.node.store.has(ref.key), { what: 'block stored' });
  return { s, ref, want };
}

/** Flips one byte of a file in place (same inode). */
async function flipByte(path: string, at: number): Promise<void> {
  const buf = await readFile(path);
  buf[at] = buf[at]! ^ 0xff;
  await writeFile(path, buf);
}

test('a MEM-tier block is re-hashed for a local reader once its file changed, even with its old mtime put back', async () => {
  const { s, ref, want } = await setupWithBlock0();
  try {
    // Unchanged since it was written here: handed out (twice) without a hash, same file.
    const a = await s.node.service.openLocal(ref);
    const b = await s.node.service.openLocal(ref);
    assert.ok(a && b);
    assert.equal(a.path, b.path);
    assert.ok((await readFile(a.path)).equals(want));
    a.release();
    b.release();
    const before = await stat(a.path, { bigint: true });
    await flipByte(a.path, 12345);
    // Put the mtime back to the nanosecond (utimes() takes a double and would round it).
    const ns = before.mtimeNs;
    await promisify(execFile)('touch', ['-m', '-d', `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`, a.path]);
    assert.equal((await stat(a.path, { bigint: true })).mtimeNs, before.mtimeNs, 'mtime restored');
    assert.equal(await s.node.service.openLocal(ref), null, 'the changed file (ctime moved) is hashed, fails and is not handed out');
    assert.equal(s.node.store.has(ref.key), false);
  } finally { await s.cleanup(); }
});

test('a flipped byte is detected on the first read after restart and on local opens; the block is re-fetched', async () => {
  const { s, ref, want } = await setupWithBlock0();
  try {
    const h = await s.node.store.acquire(ref.key);
    assert.ok(h);
    const path = h.path;
    h.release();
    const flip = async (): Promise<void> => { await flipByte(path, 777); };
    // Local readers always get a verified file.
    await flip();
    assert.equal(await s.node.service.openLocal(ref), null, 'corrupt block is not handed to a local reader');
    assert.equal(s.node.store.has(ref.key), false);
    assert.ok(s.node.store.drainDelta().removed.includes(ref.key), 'reported removed');
    assert.ok((await collect(await s.node.service.read(ref, 0, BS))).equals(want));
    await waitFor(() => s.node.store.has(ref.key), { what: 'block stored again' });
    assert.equal(s.node.ufs!.reads, 2);

    // After a restart, the first read verifies: the reader still gets the right bytes.
    await flip();
    await s.node.close();
    const node2 = await makeNode({
      tiers: [{ medium: 'MEM', path: s.tier.path, quotaBytes: 8 * BS, high: 0.95, low: 0.7 }],
      mount: { url: `file://${s.ufsDir.path}` },
      wrap: (u) => new CountingUfs(u),
    });
    try {
      assert.ok(node2.store.has(ref.key), 'rescan indexes the file');
      const r = await node2.service.read(ref, 0, BS);
      assert.equal(r.kind, 'stream', 'corrupt file is not served');
      assert.ok((await collect(r)).equals(want));
      await waitFor(() => node2.store.has(ref.key), { what: 'block stored again' });
      const fixed = await node2.store.acquire(ref.key);
      assert.ok(fixed);
      assert.ok((await readFile(fixed.path)).equals(want), 'file replaced with good bytes');
      fixed.release();
      const local = await node2.service.openLocal(ref);
      assert.ok(local);
      local.release();
    } finally { await node2.close(); }
  } finally { await s.ufsDir.cleanup(); await s.tier.cleanup(); }
});

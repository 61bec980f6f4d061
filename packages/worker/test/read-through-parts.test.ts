// A block read through as several ranged GETs at once, written straight into the block file:
// every byte right for readers that join at any point, the CRC in the file name right, and a part
// that fails leaves no file and gives every reader the typed error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { fileVersion } from '@eddy/ufs';
import { UnavailableError } from '@eddy/core';
import { waitFor } from '@eddy/testkit';
import { validateBlockRef } from '../src/index.js';
import { CountingUfs, bytesFor, collect, makeNode, refsFor, tempDir, walk } from './helpers.js';

const BS = 1024 * 1024;
const PART = 256 * 1024;

async function setup(wrap: { delayMs?: number; failAfterBytes?: number } = {}, partsInFlight = 4) {
  const ufsDir = await tempDir('eddy-ufs-');
  const tier = await tempDir();
  const data = bytesFor('parts', 2 * BS + 300_001);
  await writeFile(join(ufsDir.path, 'p.bin'), data);
  const version = fileVersion(await stat(join(ufsDir.path, 'p.bin'), { bigint: true }));
  const node = await makeNode({
    tiers: [{ medium: 'MEM', path: tier.path, quotaBytes: 8 * BS, high: 0.95, low: 0.7 }],
    mount: { url: `file://${ufsDir.path}` },
    wrap: (u) => new CountingUfs(u, wrap),
    // 1 MiB blocks would take the one-step path for small blocks; these tests are about ranged parts.
    readThrough: { fetchPartBytes: PART, fetchPartsInFlight: partsInFlight, smallBlockBytes: 0 },
  });
  const refs = refsFor('/p.bin', version, data.length, BS);
  return {
    node, data, refs, tier,
    async cleanup() { await node.close(); await ufsDir.cleanup(); await tier.cleanup(); },
  };
}

for (const inFlight of [1, 4]) {
  test(`a block fetched as ${BS / PART} ranges, ${inFlight} at once: readers get every byte, the file its CRC`, async () => {
    const s = await setup({ delayMs: 10 }, inFlight);
    try {
      const ref = s.refs[1]!;
      const offsets = [0, 1, PART - 1, PART, 3 * PART + 17, BS - 1];
      const reads = await Promise.all(offsets.map((o) => s.node.service.read(ref, o, BS)));
      const bodies = await Promise.all(reads.map(collect));
      bodies.forEach((b, i) => assert.ok(b.equals(s.data.subarray(BS + offsets[i]!, 2 * BS)), `reader at ${offsets[i]}`));
      assert.equal(s.node.ufs!.reads, BS / PART, 'one GET per range');
      await waitFor(() => s.node.store.has(ref.key), { what: 'block stored' });
      const files = (await walk(join(s.tier.path, 'eddy'))).filter((f) => !f.name.includes('.tmp-'));
      const crc = (crc32c(s.data.subarray(BS, 2 * BS)) >>> 0).toString(16).padStart(8, '0');
      assert.ok(files.some((f) => f.name === `${ref.key}.${crc}`), `block file named by its CRC: ${files.map((f) => f.name).join(', ')}`);
      const again = await s.node.service.read(ref, 0, BS);
      assert.equal(again.kind, 'file');
      assert.ok((await collect(again)).equals(s.data.subarray(BS, 2 * BS)));
      // The short last block: its last range is shorter than the others.
      const last = await s.node.service.read(s.refs[2]!, 0, BS);
      assert.ok((await collect(last)).equals(s.data.subarray(2 * BS)));
    } finally { await s.cleanup(); }
  });
}

test('a load (no reader) of a block fetched in ranges stores it whole; the fetch holds no bytes in memory', async () => {
  const s = await setup();
  try {
    const ref = validateBlockRef(s.refs[0]!);
    const fetch = s.node.readThrough.fetch(ref, 'load');
    let peak = 0;
    const sampler = setInterval(() => { peak = Math.max(peak, fetch.heldBytes); }, 1);
    const { bytes, stored } = await fetch.done;
    clearInterval(sampler);
    assert.equal(bytes, BS);
    assert.equal(stored, true);
    assert.equal(peak, 0, 'bytes go to the block file, not into a window');
    const read = await s.node.service.read(ref, 0, BS);
    assert.equal(read.kind, 'file');
    assert.ok((await collect(read)).equals(s.data.subarray(0, BS)));
  } finally { await s.cleanup(); }
});

test('one failing range fails the block: no file left, every reader gets the typed error', async () => {
  const s = await setup({ failAfterBytes: 100_000, delayMs: 5 });
  try {
    const ref = s.refs[0]!;
    const reads = await Promise.all(Array.from({ length: 3 }, (_, i) => s.node.service.read(ref, i * PART, BS)));
    for (const r of reads) await assert.rejects(collect(r), (e: unknown) => e instanceof UnavailableError);
    assert.deepEqual(await walk(join(s.tier.path, 'eddy')), [], 'no temp or partial files once readers see the error');
    await waitFor(() => s.node.readThrough.inflightCount === 0, { what: 'fetch settled' });
    assert.equal(s.node.store.has(ref.key), false);
    assert.equal(s.node.store.snapshot()[0]!.usedBytes, 0, 'the reservation is released');
  } finally { await s.cleanup(); }
});

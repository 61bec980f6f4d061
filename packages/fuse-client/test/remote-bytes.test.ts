// Bytes over the network for a remote read (issue 17, bench/results/2026-12-01-remotebytes-profile.md):
// a real FUSE mount on another host than its block's worker, so every byte comes over the data
// channel, read by 4 parallel `dd`s while the worker answers slowly and out of order (the
// readahead then has its whole window in flight). The worker must be asked for each byte about
// once: a readahead that dropped chunks in flight and fetched them again, or a retry of a healthy
// worker, would move the file's bytes twice across nodes (and zones) under load.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortedError, silentLogger } from '@eddy/core';
import type { proto } from '@eddy/protocol';
import { mountDataset, type MountHandle } from '../src/index.js';
import type { DataChannel } from '../src/read-path/sources.js';
import { startFakeMaster, type FakeMaster } from './fake-master.js';
import { forceUnmount, sh, sha256 } from './helpers.js';

const MiB = 1 << 20;
const BS = 8 * MiB;
const FILES = 4;
const FILE_BYTES = 32 * MiB;
const WORKER: proto.WorkerAddress = { workerId: 'far', dataAddress: '10.0.0.9:7000', hostId: 'worker-host', grpcAddress: '' };

/**
 * The remote worker: serves block slices from the bucket's bytes after 5-40 ms, four at a time
 * (the data channel client's connections), so replies come late and out of order. `asked` counts
 * the bytes of every READ when it is sent: what a real worker would put on the wire.
 */
function slowWorker(files: Map<string, Buffer>, asked: { bytes: number; reads: number }): DataChannel {
  let busy = 0;
  const queue: (() => void)[] = [];
  const slot = async (): Promise<void> => {
    if (busy < 4) { busy++; return; }
    await new Promise<void>((resolve) => queue.push(resolve));
  };
  const free = (): void => {
    const next = queue.shift();
    if (next) next(); else busy--;
  };
  return {
    readBlock: async (ref, offset, length, options) => {
      await slot();
      try {
        if (options?.signal?.aborted) throw new AbortedError('read aborted');
        asked.bytes += length;
        asked.reads++;
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 35));
        options?.onSource?.('cache');
        const data = files.get(ref.path!)!;
        const start = Number(ref.index) * BS + offset;
        const bytes = data.subarray(start, Math.min(data.length, start + length));
        if (options?.into) return options.into.subarray(0, bytes.copy(options.into));
        return Buffer.from(bytes);
      } finally {
        free();
      }
    },
    fetchBlock: async () => { throw new Error('a worker on another host is never asked to FETCH'); },
    openLocal: async () => null,
    close: () => undefined,
  };
}

describe('a remote read through a mount moves each byte over the data channel once', { timeout: 120_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'eddy-remote-bytes-'));
  const bucket = join(root, 'bucket');
  const mnt = join(root, 'mnt');
  const files = new Map<string, Buffer>();
  const asked = { bytes: 0, reads: 0 };
  let master: FakeMaster | undefined;
  let mount: MountHandle | undefined;

  before(async () => {
    mkdirSync(join(bucket, 'model'), { recursive: true });
    for (let i = 0; i < FILES; i++) {
      const data = randomBytes(FILE_BYTES);
      files.set(`/model/shard-${i}.bin`, data);
      writeFileSync(join(bucket, 'model', `shard-${i}.bin`), data);
    }
    master = await startFakeMaster({
      dataset: 'remote', url: `file://${bucket}`, blockSize: BS, fuseArgs: ['-okernel_cache', '-oro'],
      locate: () => ({ holders: [WORKER] }),
      workers: [{ address: WORKER, runtime: 'remote', live: true, tiers: [] }],
    });
    const channel = slowWorker(files, asked);
    mount = await mountDataset({
      masterAddress: master.address, dataset: 'remote', mountpoint: mnt, token: master.token, logger: silentLogger(),
      hostId: 'client-host', dataChannelFactory: () => channel,
    });
  });

  after(async () => {
    await mount?.close();
    await forceUnmount(mnt);
    await master?.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('4 parallel readers of 32 MiB files with slow, out-of-order worker replies: the worker is asked for at most 1.05× the bytes', async () => {
    const paths = [...files.keys()];
    const sums = await Promise.all(paths.map(async (p) => {
      const r = await sh('bash', ['-c', 'set -o pipefail; dd if="$1" bs=1M status=none | sha256sum', 'read', join(mnt, p)], 110_000);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.split(' ')[0];
    }));
    assert.deepEqual(sums, paths.map((p) => sha256(files.get(p)!)), 'every byte right');
    const total = FILES * FILE_BYTES;
    const stats = mount!.readStats;
    assert.equal(stats.workerFailures, 0, JSON.stringify(stats));
    assert.equal(stats.ufs, 0, 'nothing from the bucket');
    assert.ok(asked.bytes >= total, `the worker served every byte: ${asked.bytes} of ${total}`);
    assert.ok(asked.bytes <= 1.05 * total, `the worker was asked for ${(asked.bytes / MiB).toFixed(1)} MiB in ${asked.reads} READs for ${total / MiB} MiB`);
  });
});

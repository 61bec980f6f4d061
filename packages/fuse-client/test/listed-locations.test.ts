// Issue 17: metadata and block locations per directory. Real FUSE mounts against the in-test
// master: opening the small files of a listed directory asks the master nothing (no Stat, no
// GetBlockLocations); old locations are asked again for the whole directory in one List; an
// expired attribute in a listed directory is refreshed by one List, not a Stat per file; and a
// master that predates located listings costs no extra call.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '@eddy/core';
import { mountDataset, type MountDatasetOptions, type MountHandle } from '../src/index.js';
import { startFakeMaster, type FakeMaster } from './fake-master.js';
import { forceUnmount, sh, sha256, sha256Of } from './helpers.js';

const MiB = 1 << 20;
const BS = MiB;
const FILES = 20;

describe('block locations and metadata per directory', () => {
  const root = mkdtempSync(join(tmpdir(), 'eddy-listed-'));
  const bucket = join(root, 'bucket');
  const files = new Map<string, Buffer>();
  const cleanups: Array<() => Promise<void>> = [];

  before(() => {
    mkdirSync(join(bucket, 'small'), { recursive: true });
    for (let i = 0; i < FILES; i++) {
      const data = randomBytes(10_000 + i);
      files.set(`small/f${i}.bin`, data);
      writeFileSync(join(bucket, 'small', `f${i}.bin`), data);
    }
    const big = randomBytes(3 * BS + 5);
    files.set('small/big.bin', big);
    writeFileSync(join(bucket, 'small', 'big.bin'), big);
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c();
    rmSync(root, { recursive: true, force: true });
  });

  async function mount(name: string, locateInList: boolean, fuseArgs: string[], o: Partial<MountDatasetOptions> = {}): Promise<{
    master: FakeMaster; handle: MountHandle; mnt: string;
  }> {
    const master = await startFakeMaster({ dataset: 'demo', url: `file://${bucket}`, blockSize: BS, fuseArgs, locateInList });
    const mnt = join(root, name);
    const handle = await mountDataset({
      ...o, masterAddress: master.address, dataset: 'demo', mountpoint: mnt, token: master.token, directUfs: true, logger: silentLogger(),
    });
    cleanups.push(async () => {
      await handle.close();
      await forceUnmount(mnt);
      await master.close();
    });
    return { master, handle, mnt };
  }

  const small = [...Array(FILES).keys()].map((i) => `small/f${i}.bin`);

  /** Stat calls for the files of small/ (the directory itself may be stat'ed: its parent was never listed). */
  const fileStats = (master: FakeMaster): number => small.reduce((n, p) => n + (master.calls[`stat /${p}`] ?? 0), 0);

  async function readAll(mnt: string, paths: string[]): Promise<void> {
    for (const p of paths) assert.equal(await sha256Of(join(mnt, p)), sha256(files.get(p)!), p);
  }

  test('the small files of a listed directory open with no master call of their own; a large one asks GetBlockLocations', async () => {
    const { master, mnt } = await mount('mnt-a', true, ['-oro', '-oattr_timeout=60', '-oentry_timeout=60']);
    assert.equal((await sh('ls', [join(mnt, 'small')])).stdout.trim().split('\n').length, FILES + 1);
    const lists = master.calls['list /small'];
    await readAll(mnt, small);
    assert.equal(master.calls['getBlockLocations'] ?? 0, 0, 'no GetBlockLocations');
    assert.equal(fileStats(master), 0, 'no Stat');
    assert.equal(master.calls['list /small'], lists, 'no List either: the listing had the locations');
    await readAll(mnt, ['small/big.bin']);
    assert.ok((master.calls['getBlockLocations'] ?? 0) >= 1, 'blocks of a short-circuit size are located by the master');
  });

  test('locations older than listedLocationsMs are asked again for the whole directory, in one List', async () => {
    const { master, mnt } = await mount('mnt-b', true, ['-oro', '-oattr_timeout=60', '-oentry_timeout=60'], { listedLocationsMs: 1500 });
    await sh('ls', [join(mnt, 'small')]);
    const lists = master.calls['list /small'] ?? 0;
    await sleep(1700);
    await sh('cat', small.map((p) => join(mnt, p)));
    assert.equal(master.calls['getBlockLocations'] ?? 0, 0, 'no GetBlockLocations');
    const relists = (master.calls['list /small'] ?? 0) - lists;
    assert.ok(relists >= 1 && relists < FILES, `the directory listed again, not once per file: ${relists}`);
  });

  test('an expired attribute in a listed directory is refreshed by listing it again, not by a Stat per file', async () => {
    const { master, mnt } = await mount('mnt-c', true, ['-oro', '-oattr_timeout=1', '-oentry_timeout=1']);
    await sh('ls', [join(mnt, 'small')]);
    await sleep(1300);
    const lists = master.calls['list /small'] ?? 0;
    const st = await sh('stat', ['-c', '%s', ...small.map((p) => join(mnt, p))]);
    assert.deepEqual(st.stdout.trim().split('\n').map(Number), small.map((p) => files.get(p)!.length));
    assert.equal(fileStats(master), 0, 'no Stat');
    const relists = (master.calls['list /small'] ?? 0) - lists;
    assert.ok(relists >= 1 && relists < FILES, `listed again, not stat'ed per file: ${relists}`);
  });

  test('a master that predates located listings: one GetBlockLocations per file, no extra List', async () => {
    const { master, mnt } = await mount('mnt-d', false, ['-oro', '-oattr_timeout=60', '-oentry_timeout=60']);
    await sh('ls', [join(mnt, 'small')]);
    const lists = master.calls['list /small'];
    await readAll(mnt, small);
    assert.equal(master.calls['list /small'], lists);
    assert.equal(master.calls['getBlockLocations'], FILES);
  });
});

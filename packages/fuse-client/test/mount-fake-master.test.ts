// Real FUSE mounts against an in-test master serving a file:// bucket: mount options, operations,
// EROFS, statfs, pagination, caches, version pinning and the UFS fallback.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getEventListeners } from 'node:events';
import { AbortedError, silentLogger, ValidationError } from '@eddy/core';
import { mountDataset, type MountHandle } from '../src/index.js';
import { waitFor } from '@eddy/testkit';
import { startFakeMaster, type FakeMaster } from './fake-master.js';
import { forceUnmount, isMounted, mountLine, nodeScript, sh, sha256, sha256Of } from './helpers.js';

const MiB = 1 << 20;
const BS = MiB;
const SEED_ARGS = ['-okernel_cache', '-oro', '-oattr_timeout=60', '-oentry_timeout=60', '-onegative_timeout=60'];

describe('fuse mount over a file:// bucket (no workers: every read falls back to the UFS)', () => {
  const root = mkdtempSync(join(tmpdir(), 'eddy-fuse-'));
  const bucket = join(root, 'bucket');
  const mnt = join(root, 'mnt');
  const files = new Map<string, Buffer>();
  let master: FakeMaster;
  let handle: MountHandle | undefined;

  before(async () => {
    mkdirSync(join(bucket, 'dir', 'nested'), { recursive: true });
    mkdirSync(join(bucket, 'many'));
    const sizes: Record<string, number> = {
      'empty.bin': 0, 'one.bin': 1, 'bs-minus-1.bin': BS - 1, 'bs.bin': BS, 'bs-plus-1.bin': BS + 1,
      'big.bin': 9 * BS + 12345, 'dir/a.txt': 100, 'dir/nested/b.bin': 3 * BS,
    };
    for (const [p, n] of Object.entries(sizes)) {
      const data = randomBytes(n);
      files.set(p, data);
      writeFileSync(join(bucket, p), data);
    }
    for (let i = 0; i < 2500; i++) writeFileSync(join(bucket, 'many', `f${String(i).padStart(5, '0')}`), '');
    master = await startFakeMaster({
      dataset: 'demo', url: `file://${bucket}`, blockSize: BS, fuseArgs: SEED_ARGS,
      tiers: [{ medium: 'MEM', path: '/dev/shm/x', quotaBytes: 8 * 1024 * MiB, usedBytes: 1024 * MiB }],
    });
    handle = await mountDataset({ masterAddress: master.address, dataset: 'demo', mountpoint: mnt, token: master.token, directUfs: true, logger: silentLogger(), listPageSize: 1000 });
  });

  after(async () => {
    await handle?.close();
    await forceUnmount(mnt);
    await master?.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('mounts with the seed Runtime args: ro and negative_timeout to libfuse, no kernel_cache or auto_cache', () => {
    assert.ok(handle);
    assert.ok(isMounted(mnt));
    const line = mountLine(mnt)!;
    assert.match(line, /fuse\.eddy/);
    assert.match(line.split(' ')[3]!, /^ro,/);
    assert.deepEqual(
      { ro: handle.fuseOptions.readOnly, attr: handle.fuseOptions.attrTimeout, neg: handle.fuseOptions.negativeTimeout },
      { ro: true, attr: 60, neg: 60 },
    );
    assert.equal(handle.fuseOptions.kernelCache, true);
    assert.ok(!handle.libfuseOptions.includes('auto_cache'));
    assert.ok(!handle.libfuseOptions.includes('kernel_cache'));
    assert.ok(handle.libfuseOptions.includes('negative_timeout=60'));
    assert.ok(handle.libfuseOptions.includes('ro'));
  });

  test('every file reads back with the SHA-256 of the object, sizes and mtimes faithful', async () => {
    for (const [p, data] of files) {
      assert.equal(await sha256Of(join(mnt, p)), sha256(data), p);
      const st = await sh('stat', ['-c', '%s %Y %F', join(mnt, p)]);
      const ufsSt = statSync(join(bucket, p));
      assert.equal(st.stdout.trim(), `${data.length} ${Math.floor(ufsSt.mtimeMs / 1000)} ${data.length === 0 ? 'regular empty file' : 'regular file'}`, p);
    }
    assert.ok(handle!.readStats.ufs > 0);
    assert.equal(handle!.readStats.worker, 0);
  });

  test('8 concurrent readers of the same and different files', async () => {
    const names = ['big.bin', 'big.bin', 'dir/nested/b.bin', 'bs-plus-1.bin', 'big.bin', 'bs.bin', 'dir/nested/b.bin', 'big.bin'];
    const sums = await Promise.all(names.map(async (n) => await sha256Of(join(mnt, n))));
    names.forEach((n, i) => assert.equal(sums[i], sha256(files.get(n)!), n));
  });

  test('readdir: names of the bucket, large directories paginated from the master', async () => {
    const top = await sh('ls', ['-A', mnt]);
    assert.deepEqual(top.stdout.trim().split('\n').sort(), ['big.bin', 'bs-minus-1.bin', 'bs-plus-1.bin', 'bs.bin', 'dir', 'empty.bin', 'many', 'one.bin']);
    // Reading a directory lists its subdirectories ahead of a walk, nobody having opened them.
    await waitFor(() => (master.calls['list /dir'] ?? 0) >= 1, { what: 'dir/ listed after the root was read' });
    const many = await sh('ls', [join(mnt, 'many')]);
    assert.equal(many.stdout.trim().split('\n').length, 2500);
    // Listed once (ahead of `ls`, when the root was read, or by it), in three pages of 1000.
    assert.equal(master.calls['list /many'], 3);
    const nested = await sh('ls', ['-lR', join(mnt, 'dir')]);
    assert.match(nested.stdout, /a\.txt/);
    assert.match(nested.stdout, /b\.bin/);
  });

  test('every write fails with EROFS', async () => {
    for (const [cmd, args] of [
      ['touch', [join(mnt, 'new.txt')]], ['mkdir', [join(mnt, 'newdir')]], ['rm', ['-f', join(mnt, 'one.bin')]],
      ['sh', ['-c', `echo x >> ${join(mnt, 'one.bin')}`]], ['mv', [join(mnt, 'one.bin'), join(mnt, 'two.bin')]],
      ['chmod', ['777', join(mnt, 'one.bin')]], ['truncate', ['-s', '0', join(mnt, 'one.bin')]],
    ] as Array<[string, string[]]>) {
      const r = await sh(cmd, args);
      assert.notEqual(r.code, 0, `${cmd} ${args.join(' ')}`);
      assert.match(r.stderr, /Read-only file system/, `${cmd}: ${r.stderr}`);
    }
    assert.equal(await sha256Of(join(mnt, 'one.bin')), sha256(files.get('one.bin')!));
  });

  test('statfs reports the cache capacity and usage of the workers', async () => {
    const r = await sh('df', ['-B1', '--output=size,used', mnt]);
    const [size, used] = r.stdout.trim().split('\n')[1]!.trim().split(/\s+/).map(Number);
    assert.equal(size, 8 * 1024 * MiB);
    assert.equal(used, 1024 * MiB);
  });

  test('missing paths are ENOENT and negatively cached', async () => {
    const r = await sh('stat', [join(mnt, 'nope.bin')]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /No such file/);
    const calls = master.calls['stat'] ?? 0;
    await sh('stat', [join(mnt, 'dir', 'nope2.bin')]);
    await sh('stat', [join(mnt, 'dir', 'nope2.bin')]);
    assert.ok((master.calls['stat'] ?? 0) - calls <= 1);
  });
});

describe('mount options, caches and versions', () => {
  const root = mkdtempSync(join(tmpdir(), 'eddy-fuse-'));
  const bucket = join(root, 'bucket');
  const mnt = join(root, 'mnt');
  let master: FakeMaster;

  before(async () => {
    mkdirSync(bucket, { recursive: true });
    writeFileSync(join(bucket, 'x.bin'), 'x');
    master = await startFakeMaster({ dataset: 'demo', url: `file://${bucket}`, blockSize: BS, fuseArgs: SEED_ARGS });
  });
  after(async () => {
    await forceUnmount(mnt);
    await master?.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('an unknown -o option is a ValidationError naming it, and nothing is mounted', async () => {
    await assert.rejects(
      mountDataset({ masterAddress: master.address, dataset: 'demo', mountpoint: mnt, token: master.token, directUfs: true, fuseOptions: ['attr_timeout=5,bogus_opt'] }),
      (e: unknown) => e instanceof ValidationError && /bogus_opt/.test(e.message),
    );
    assert.ok(!isMounted(mnt));
  });

  test('aborting the mount signal unmounts and releases everything; close() after it is a no-op; no listener is left', async () => {
    const ac = new AbortController();
    const h = await mountDataset({ masterAddress: master.address, dataset: 'demo', mountpoint: mnt, token: master.token, directUfs: true, signal: ac.signal });
    assert.ok(isMounted(mnt));
    assert.equal(getEventListeners(ac.signal, 'abort').length, 1);
    ac.abort();
    await waitFor(() => !isMounted(mnt), { what: 'unmounted after the abort' });
    await h.close();
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);

    // close() first: the listener goes with it, and a later abort does nothing.
    const ac2 = new AbortController();
    const h2 = await mountDataset({ masterAddress: master.address, dataset: 'demo', mountpoint: mnt, token: master.token, directUfs: true, signal: ac2.signal });
    await h2.close();
    assert.ok(!isMounted(mnt));
    assert.equal(getEventListeners(ac2.signal, 'abort').length, 0);
    ac2.abort();
  });

  test('a signal aborted before mounting: AbortedError, nothing mounted', async () => {
    await assert.rejects(
      mountDataset({ masterAddress: master.address, dataset: 'demo', mountpoint: mnt, token: master.token, directUfs: true, signal: AbortSignal.abort() }),
      (e: unknown) => e instanceof AbortedError,
    );
    assert.ok(!isMounted(mnt));
  });

  test('a wrong token is refused', async () => {
    await assert.rejects(mountDataset({ masterAddress: master.address, dataset: 'demo', mountpoint: mnt, token: 'wrong' }), /token|unauth/i);
    assert.ok(!isMounted(mnt));
  });

  test('overrides: max_read reaches the kernel; metadata and bytes change only after the timeouts; pinned handles never mix versions', async (t) => {
    const h = await mountDataset({
      masterAddress: master.address, dataset: 'demo', mountpoint: mnt, token: master.token, directUfs: true,
      fuseOptions: ['-oattr_timeout=3,entry_timeout=3', 'negative_timeout=3', 'max_read=1048576'],
    });
    try {
      assert.match(mountLine(mnt)!, /max_read=1048576/);
      assert.deepEqual([h.fuseOptions.attrTimeout, h.fuseOptions.entryTimeout, h.fuseOptions.negativeTimeout], [3, 3, 3]);

      // Negative cache: a file that appears is invisible until negative_timeout expires. (Timeouts
      // of 3 s leave room for slow process spawns on a loaded machine.)
      assert.notEqual((await sh('stat', [join(mnt, 'late.bin')])).code, 0);
      writeFileSync(join(bucket, 'late.bin'), 'late');
      assert.notEqual((await sh('stat', [join(mnt, 'late.bin')])).code, 0);
      await new Promise((r) => setTimeout(r, 3500));
      assert.equal((await sh('cat', [join(mnt, 'late.bin')])).stdout, 'late');

      // Same-size overwrite with a new mtime: old bytes until attr_timeout, new bytes after.
      const v1 = randomBytes(4 * MiB);
      const v2 = randomBytes(4 * MiB);
      const f = join(bucket, 'model.bin');
      writeFileSync(f, v1);
      assert.equal(await sha256Of(join(mnt, 'model.bin')), sha256(v1));
      writeFileSync(f, v2);
      const tm = new Date(Date.now() + 5000);
      utimesSync(f, tm, tm);
      const early = await sh('sha256sum', [join(mnt, 'model.bin')]);
      t.diagnostic(`read within attr_timeout: ${early.code === 0 ? 'old bytes' : early.stderr.trim()}`);
      // Within the timeout the client still pins v1: the page cache or an EIO, never v2 or a mix.
      assert.ok(early.code !== 0 || early.stdout.startsWith(sha256(v1)), early.stdout);
      await new Promise((r) => setTimeout(r, 3500));
      assert.equal(await sha256Of(join(mnt, 'model.bin')), sha256(v2), 'new bytes after the attr timeout (v2\'s open dropped v1\'s pages)');

      // A handle opened before an overwrite: its bytes are all old or the read fails (EIO).
      const g = join(bucket, 'pinned.bin');
      const g1 = randomBytes(6 * MiB);
      const g2 = randomBytes(6 * MiB);
      writeFileSync(g, g1);
      await new Promise((r) => setTimeout(r, 3500));
      const script = `
        import { openSync, readSync, writeFileSync, existsSync } from 'node:fs';
        import { createHash } from 'node:crypto';
        const [file, flag, go] = process.argv.slice(1);
        const fd = openSync(file, 'r');
        const buf = Buffer.alloc(${6 * MiB});
        let n = readSync(fd, buf, 0, 65536, 0);
        writeFileSync(flag, 'opened');
        while (!existsSync(go)) await new Promise((r) => setTimeout(r, 20));
        try {
          while (n < buf.length) { const k = readSync(fd, buf, n, Math.min(131072, buf.length - n), n); if (k === 0) break; n += k; }
          console.log('ok', n, createHash('sha256').update(buf.subarray(0, n)).digest('hex'));
        } catch (e) { console.log('err', e.code); }`;
      const flag = join(root, 'flag');
      const go = join(root, 'go');
      const child = nodeScript(script, [join(mnt, 'pinned.bin'), flag, go]);
      while (!statSafe(flag)) await new Promise((r) => setTimeout(r, 20));
      writeFileSync(g, g2);
      const t2 = new Date(Date.now() + 10_000);
      utimesSync(g, t2, t2);
      writeFileSync(go, '');
      const res = await child;
      const [kind, n, sum] = res.stdout.trim().split(' ');
      t.diagnostic(`handle opened before the overwrite: ${kind} ${n}`);
      if (kind === 'ok') {
        assert.equal(Number(n), g1.length);
        assert.equal(sum, sha256(g1), 'a pinned handle served bytes of another version');
      } else {
        assert.equal(kind, 'err');
        assert.equal(n, 'EIO');
      }
      await new Promise((r) => setTimeout(r, 3500));
      assert.equal(await sha256Of(join(mnt, 'pinned.bin')), sha256(g2));
    } finally {
      await h.close();
      await h.close(); // idempotent
    }
    assert.ok(!isMounted(mnt));
  });
});

function statSafe(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

// The fuse-native patch (patches/fuse-native+2.2.6.patch, built by scripts/setup.sh): the open
// callback's third value sets direct_io / keep_cache on the handle. Unpatched, the flags are
// dropped and every case below is served as a plain page-cache open, so these tests fail.
// A tiny filesystem whose bytes change after every read it serves tells the cases apart: a
// second read that sees the change went to the filesystem, one that does not came from the
// kernel's page cache.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fuse, { type FuseOps, type FuseStat } from 'fuse-native';
import { forceUnmount, nodeScript } from './helpers.js';

const SIZE = 4096;
const FILES = ['direct', 'cached', 'keep', 'nokeep'] as const;
type Name = (typeof FILES)[number];

/** Opens `path` `opens` times and reads its first 4 KiB `readsPerOpen` times per open; prints the first byte of each read. */
const READER = `
import { openSync, readSync, closeSync } from 'node:fs';
const [path, opens, readsPerOpen] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const seen = [];
for (let o = 0; o < opens; o++) {
  const fd = openSync(path, 'r');
  for (let r = 0; r < readsPerOpen; r++) {
    const buf = Buffer.alloc(${SIZE});
    readSync(fd, buf, 0, buf.length, 0);
    seen.push(String.fromCharCode(buf[0]));
  }
  closeSync(fd);
}
console.log(seen.join(''));
`;

describe('patched fuse-native: per-handle open flags', () => {
  const root = mkdtempSync(join(tmpdir(), 'eddy-openflags-'));
  const mnt = join(root, 'mnt');
  /** Reads served per file; a file's bytes are 'a' before its first read is served, 'b', 'c', … after. */
  const served = new Map<Name, number>(FILES.map((f) => [f, 0]));
  const flagsOf: Record<Name, number> = {
    direct: Fuse.OPEN_DIRECT_IO,
    cached: 0,
    keep: Fuse.OPEN_KEEP_CACHE,
    nokeep: 0,
  };
  let fuse: Fuse | undefined;

  before(async () => {
    mkdirSync(mnt, { recursive: true });
    const now = new Date(0);
    const stat = (dir: boolean): FuseStat => ({
      mode: dir ? 0o040555 : 0o100444, uid: 0, gid: 0, size: dir ? 4096 : SIZE, mtime: now, atime: now, ctime: now,
    });
    const nameOf = (path: string): Name | undefined => FILES.find((f) => `/${f}` === path);
    const ops: FuseOps = {
      getattr: (path, cb) => {
        if (path === '/') cb(0, stat(true));
        else if (nameOf(path)) cb(0, stat(false));
        else cb(Fuse.ENOENT);
      },
      readdir: (_path, cb) => cb(0, [...FILES]),
      open: (path, _flags, cb) => {
        const name = nameOf(path);
        if (!name) cb(Fuse.ENOENT);
        else cb(0, 1 + FILES.indexOf(name), flagsOf[name]);
      },
      read: (path, _fd, buf, len, _pos, cb) => {
        const name = nameOf(path)!;
        const n = served.get(name)!;
        served.set(name, n + 1);
        buf.fill(97 + n, 0, len);
        cb(len);
      },
      release: (_path, _fd, cb) => cb(0),
    };
    // No kernel_cache / auto_cache: libfuse leaves the handle's flags as open set them.
    fuse = new Fuse(mnt, ops, { force: true, mkdir: true });
    const f = fuse;
    await new Promise<void>((resolve, reject) => f.mount((err) => (err ? reject(err) : resolve())));
  });

  after(async () => {
    const f = fuse;
    if (f) await new Promise<void>((resolve) => f.unmount(() => resolve()));
    await forceUnmount(mnt);
    rmSync(root, { recursive: true, force: true });
  });

  async function readAs(name: Name, opens: number, readsPerOpen: number): Promise<string> {
    const r = await nodeScript(READER, [join(mnt, name), String(opens), String(readsPerOpen)]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  }

  test('the loaded binary is the patched build', () => {
    assert.equal(Fuse.SUPPORTS_OPEN_FLAGS, true);
  });

  test('direct_io: two reads of one handle both reach the filesystem and see its change', async () => {
    assert.equal(await readAs('direct', 1, 2), 'ab');
    assert.equal(served.get('direct'), 2);
  });

  test('without flags: the second read of the handle is served from the page cache', async () => {
    assert.equal(await readAs('cached', 1, 2), 'aa');
    assert.equal(served.get('cached'), 1);
  });

  test('keep_cache: a second open keeps the pages the first one cached', async () => {
    assert.equal(await readAs('keep', 2, 1), 'aa');
    assert.equal(served.get('keep'), 1);
  });

  test('without keep_cache: a second open drops them and reads the filesystem again', async () => {
    assert.equal(await readAs('nokeep', 2, 1), 'ab');
    assert.equal(served.get('nokeep'), 2);
  });
});

import { mkdtemp, mkdir, rm, writeFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileUfs, fileUrlToRoot } from '../src/file-ufs.js';
import { AccessDeniedError, NotFoundError } from '@eddy/core';
import { runUfsConformance } from './ufs-conformance.js';

runUfsConformance('file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-ufs-file-'));
  const root = join(dir, 'mount root');
  await mkdir(root, { recursive: true });
  const ufs = FileUfs.fromUrl(`file://${root}`);
  return {
    ufs,
    async put(key, data) {
      const p = join(root, key);
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, data);
    },
    async close() {
      await ufs.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

test('file:// URLs: absolute, %-escaped and relative to cwd', () => {
  assert.equal(fileUrlToRoot('file:///data/x'), '/data/x');
  assert.equal(fileUrlToRoot('file:///data/my%20dir'), '/data/my dir');
  assert.equal(fileUrlToRoot('file://./rel/dir', '/base'), '/base/rel/dir');
  assert.equal(fileUrlToRoot('file://rel', '/base'), '/base/rel');
  assert.equal(FileUfs.fromUrl('file://./d', { cwd: '/w' }).root, '/w/d');
});

test('a symlink leading outside the root is refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-ufs-link-'));
  try {
    await mkdir(join(dir, 'root'));
    await writeFile(join(dir, 'secret.txt'), 'outside');
    await symlink(relative(join(dir, 'root'), join(dir, 'secret.txt')), join(dir, 'root', 'link.txt'));
    const ufs = new FileUfs(join(dir, 'root'));
    await assert.rejects(ufs.stat('link.txt'), AccessDeniedError);
    await assert.rejects(ufs.read('link.txt'), AccessDeniedError);
    const listed = [];
    for await (const e of ufs.list('')) listed.push(e.path);
    assert.deepEqual(listed, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a missing root directory is NotFound (like a missing bucket); a missing prefix below it lists empty', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-ufs-missing-'));
  try {
    const missing = new FileUfs(join(dir, 'no-such-root'));
    await assert.rejects(async () => { for await (const _ of missing.list('')) { /* nothing */ } }, (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.match(err.message, /does not exist.*file:\/\/ URL/);
      return true;
    });
    const present = new FileUfs(dir);
    const listed = [];
    for await (const e of present.list('no/such/prefix')) listed.push(e.path);
    assert.deepEqual(listed, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

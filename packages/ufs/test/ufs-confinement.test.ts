// Exactness and confinement of mounts: file:// versions that see a same-size, same-mtime
// rewrite; the file-root and endpoint allowlists createUfs enforces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUfs } from '../src/create-ufs.js';
import { FileUfs } from '../src/file-ufs.js';
import { UfsNotAllowedError } from '../src/ufs-errors.js';
import type { UfsMountConfig } from '../src/under-file-system.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-ufs-conf-'));
  try { await fn(dir); } finally { await rm(dir, { recursive: true, force: true }); }
}

test('file:// version changes on a same-size rewrite that keeps the mtime (cp -p over the file)', () => withDir(async (dir) => {
  const root = join(dir, 'root');
  await mkdir(root);
  const target = join(root, 'f.bin');
  await writeFile(target, 'AAAAAAAA');
  const ufs = new FileUfs(root);
  const before = await ufs.stat('f.bin');
  // Same size, mtime copied over: `cp -p` (and rsync -t, tar) do exactly this.
  const other = join(dir, 'other.bin');
  await writeFile(other, 'BBBBBBBB');
  execFileSync('touch', ['-r', target, other]); // the same mtime, to the nanosecond
  execFileSync('cp', ['-p', other, target]);
  const after = await ufs.stat('f.bin');
  assert.equal(after.size, before.size);
  assert.equal(after.mtimeMs, before.mtimeMs);
  assert.notEqual(after.version, before.version);
  await assert.rejects(ufs.read('f.bin', { ifMatch: before.version }), { name: 'VersionMismatchError' });
  // Even an in-place rewrite with the mtime restored by utimes changes ctime, hence the version.
  const mid = await ufs.stat('f.bin');
  const st = await stat(target, { bigint: true });
  await writeFile(target, 'CCCCCCCC');
  execFileSync('touch', ['-r', other, target]);
  assert.equal((await stat(target, { bigint: true })).mtimeNs, st.mtimeNs);
  assert.notEqual((await ufs.stat('f.bin')).version, mid.version);
}));

test('createUfs refuses a file:// root outside the allowed roots, and a symlink out of one', () => withDir(async (dir) => {
  const allowed = join(dir, 'allowed');
  await mkdir(join(allowed, 'data'), { recursive: true });
  await symlink('/etc', join(allowed, 'escape'));
  const allow = { fileRoots: [allowed] };
  await createUfs({ url: `file://${join(allowed, 'data')}`, options: {} }, { allow }).close();
  await createUfs({ url: `file://${allowed}`, options: {} }, { allow }).close();
  for (const url of ['file:///etc', 'file:///', `file://${join(allowed, 'escape')}`, `file://${allowed}/../`, `file://${allowed}x`]) {
    assert.throws(() => createUfs({ url, options: {} }, { allow }), UfsNotAllowedError, url);
  }
  assert.throws(() => createUfs({ url: `file://${allowed}`, options: {} }, { allow: { fileRoots: [] } }),
    (e: Error) => e instanceof UfsNotAllowedError && /--allow-file-root/.test(e.message));
}));

test('createUfs: S3/OSS endpoints follow the allowlist when one is set', async () => {
  const allow = { endpoints: ['s3.example.com', 'minio.internal:9000', 'https://oss.example.com'] };
  const s3 = (endpoint?: string): UfsMountConfig => ({ url: 's3://bkt/p', options: endpoint === undefined ? {} : { 'fs.s3.endpoint': endpoint } });
  const oss = (endpoint: string): UfsMountConfig => ({
    url: 'oss://bkt/p', options: { 'fs.oss.endpoint': endpoint, 'fs.oss.accessKeyId': 'id', 'fs.oss.accessKeySecret': 'secret' },
  });
  await createUfs(s3('https://s3.example.com'), { allow }).close();
  await createUfs(s3('http://minio.internal:9000'), { allow }).close();
  await createUfs(oss('https://oss.example.com'), { allow }).close();
  for (const cfg of [s3('http://169.254.169.254'), s3('http://minio.internal:9001'), s3(), oss('http://oss.example.com'), s3('http://127.0.0.1:9000')]) {
    assert.throws(() => createUfs(cfg, { allow }), UfsNotAllowedError, JSON.stringify(cfg.options));
  }
  // No list (or an empty one): any endpoint, as before.
  await createUfs(s3('http://127.0.0.1:9000'), { allow: {} }).close();
  await createUfs(s3('http://127.0.0.1:9000'), { allow: { endpoints: [] } }).close();
});

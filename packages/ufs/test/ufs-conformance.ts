// The one conformance suite every UnderFileSystem driver runs (s3://, oss://, file://), in
// the manner of libp2p's interface-compliance-tests: a driver's test file provides a fixture
// (a UFS plus a way to put objects behind its back) and calls runUfsConformance().
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import pLimit from 'p-limit';
import {
  AccessDeniedError, NotFoundError, TimeoutError, UnreachableError, ValidationError, VersionMismatchError,
} from '@eddy/core';
import type { UfsListEntry, UnderFileSystem } from '../src/under-file-system.js';

export const TEST_BLOCK = 64 * 1024;

export interface UfsFixture {
  /** The driver under test, mounted at some prefix of the backing store. */
  ufs: UnderFileSystem;
  /** Writes `data` at `key` (relative to the mount) directly into the backing store. */
  put(key: string, data: Buffer): Promise<void>;
  /** The same mount with a wrong secret, and that secret (omitted by drivers without credentials). */
  wrongCredentials?: () => { ufs: UnderFileSystem; secret: string };
  /** The same driver aimed at a closed loopback port (omitted by drivers without a network). */
  unreachable?: () => Promise<UnderFileSystem>;
  /** The backing bucket keeps object versions (S3 / OSS versioning): stat and list report versionIds. */
  keepsVersions?: boolean;
  close(): Promise<void>;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

async function collect(it: AsyncIterable<UfsListEntry>): Promise<UfsListEntry[]> {
  const out: UfsListEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
}

export function runUfsConformance(name: string, makeFixture: () => Promise<UfsFixture>): void {
  describe(`UFS conformance: ${name}`, () => {
    let fx: UfsFixture;
    before(async () => { fx = await makeFixture(); });
    after(async () => { await fx?.close(); });

    test('objects of 0 B, 1 B, block multiples and odd sizes stat and read back whole and block by block', async () => {
      const sizes = [0, 1, TEST_BLOCK, 2 * TEST_BLOCK, TEST_BLOCK + 17, 100_003];
      const datas = new Map(sizes.map((s) => [s, randomBytes(s)]));
      await Promise.all(sizes.map((s) => fx.put(`sizes/obj-${s}.bin`, datas.get(s) as Buffer)));
      for (const size of sizes) {
        const data = datas.get(size) as Buffer;
        const key = `sizes/obj-${size}.bin`;
        const st = await fx.ufs.stat(key);
        assert.equal(st.path, key);
        assert.equal(st.size, size);
        assert.ok(st.version.length > 0, 'version is never empty');
        assert.ok(!st.version.includes('"'), 'version has no quotes');
        assert.ok(st.mtimeMs > 0);
        assert.deepEqual(await readAll(await fx.ufs.read(key)), data, `whole read of ${size} B`);
        const parts: Buffer[] = [];
        for (let off = 0; off < size; off += TEST_BLOCK) {
          parts.push(await readAll(await fx.ufs.read(key, { offset: off, length: TEST_BLOCK, ifMatch: st.version })));
        }
        assert.deepEqual(Buffer.concat(parts), data, `block-wise read of ${size} B`);
      }
    });

    test('ranges at start, middle, end and past EOF', async () => {
      const data = randomBytes(10_000);
      const key = 'ranges/r.bin';
      await fx.put(key, data);
      const { version } = await fx.ufs.stat(key);
      const read = async (offset: number, length?: number): Promise<Buffer> =>
        readAll(await fx.ufs.read(key, length === undefined ? { offset } : { offset, length }));
      assert.deepEqual(await read(0, 10), data.subarray(0, 10));
      assert.deepEqual(await read(4321, 500), data.subarray(4321, 4821));
      assert.deepEqual(await read(9990, 10), data.subarray(9990));
      assert.deepEqual(await read(9997), data.subarray(9997));
      assert.deepEqual(await read(9995, 100), data.subarray(9995), 'a range running past EOF yields what exists');
      assert.equal((await read(10_000, 5)).length, 0, 'a range starting at EOF is empty');
      assert.equal((await read(20_000, 5)).length, 0, 'a range starting past EOF is empty');
      assert.equal((await read(20_000)).length, 0);
      assert.equal((await read(5, 0)).length, 0, 'length 0 is empty');
      assert.deepEqual(await readAll(await fx.ufs.read(key, { offset: 100, length: 50, ifMatch: version })), data.subarray(100, 150));
      await assert.rejects(fx.ufs.read(key, { offset: 20_000, length: 5, ifMatch: 'not-the-version' }), VersionMismatchError);
      await assert.rejects(fx.ufs.read(key, { offset: -1 }), ValidationError);
      await assert.rejects(fx.ufs.read(key, { offset: 0, length: 1.5 }), ValidationError);
    });

    test('nested prefixes list recursively and one level at a time', async () => {
      const keys = ['tree/a/b/c.txt', 'tree/a/b/d.txt', 'tree/a/e.txt', 'tree/f.txt'];
      await Promise.all(keys.map((k) => fx.put(k, Buffer.from(k))));
      const all = await collect(fx.ufs.list('tree'));
      assert.deepEqual(all.map((e) => e.path).sort(), keys);
      for (const e of all) {
        assert.equal(e.size, Buffer.byteLength(e.path));
        assert.ok(!e.isDirectory);
        assert.equal(e.version, (await fx.ufs.stat(e.path)).version, 'listing and stat agree on the version');
      }
      assert.deepEqual((await collect(fx.ufs.list('tree/', { recursive: true }))).map((e) => e.path).sort(), keys);
      const top = await collect(fx.ufs.list('tree', { recursive: false }));
      assert.deepEqual(top.map((e) => `${e.path}${e.isDirectory ? '/' : ''}`).sort(), ['tree/a/', 'tree/f.txt']);
      const mid = await collect(fx.ufs.list('tree/a/', { recursive: false }));
      assert.deepEqual(mid.map((e) => `${e.path}${e.isDirectory ? '/' : ''}`).sort(), ['tree/a/b/', 'tree/a/e.txt']);
      assert.deepEqual(await collect(fx.ufs.list('tree/nothing-here')), []);
      const root = await collect(fx.ufs.list('', { recursive: false }));
      assert.ok(root.some((e) => e.path === 'tree' && e.isDirectory), 'the mount root lists its top-level prefixes');
    });

    test('names with spaces, unicode and + round-trip through list, stat and read', async () => {
      const keys = ['names/with space.txt', 'names/ünïcødé-文件.bin', 'names/a+b=c&d.txt', 'names/100% sure.txt', 'names/sub dir/x+y z.txt'];
      await Promise.all(keys.map((k) => fx.put(k, Buffer.from(`content of ${k}`))));
      const listed = (await collect(fx.ufs.list('names'))).map((e) => e.path).sort();
      assert.deepEqual(listed, [...keys].sort());
      for (const k of keys) {
        assert.equal((await fx.ufs.stat(k)).size, Buffer.byteLength(`content of ${k}`));
        assert.equal((await readAll(await fx.ufs.read(k))).toString(), `content of ${k}`);
      }
      await assert.rejects(fx.ufs.stat('names/a b=c&d.txt'), NotFoundError, "'+' is not a space");
    });

    test('more than 1,000 keys list completely (pagination)', async () => {
      const n = 1100;
      const limit = pLimit(32);
      await Promise.all(Array.from({ length: n }, (_, i) => limit(() => fx.put(`many/k-${String(i).padStart(5, '0')}`, Buffer.from(String(i))))));
      const listed = await collect(fx.ufs.list('many'));
      assert.equal(listed.length, n);
      assert.equal(new Set(listed.map((e) => e.path)).size, n, 'no key listed twice');
      const flat = await collect(fx.ufs.list('many', { recursive: false }));
      assert.equal(flat.filter((e) => !e.isDirectory).length, n);
    });

    test('ifMatch with a superseded version fails with VersionMismatchError', async () => {
      const key = 'versions/v.bin';
      await fx.put(key, Buffer.from('first version'));
      const v1 = (await fx.ufs.stat(key)).version;
      assert.equal((await readAll(await fx.ufs.read(key, { ifMatch: v1 }))).toString(), 'first version');
      await fx.put(key, Buffer.from('the second, longer version'));
      const v2 = (await fx.ufs.stat(key)).version;
      assert.notEqual(v1, v2);
      await assert.rejects(fx.ufs.read(key, { ifMatch: v1 }), VersionMismatchError);
      await assert.rejects(fx.ufs.read(key, { offset: 4, length: 4, ifMatch: v1 }), VersionMismatchError);
      await assert.rejects(fx.ufs.read(key, { offset: 4, length: 0, ifMatch: v1 }), VersionMismatchError);
      assert.equal((await readAll(await fx.ufs.read(key, { offset: 4, length: 6, ifMatch: v2 }))).toString(), 'second');
    });

    test('object versions: a bucket that keeps them reports versionIds and reads an overwritten version by id', async () => {
      const key = 'kept/v.bin';
      const old = randomBytes(3 * TEST_BLOCK + 5);
      const next = randomBytes(2 * TEST_BLOCK);
      await fx.put(key, old);
      await fx.put('kept/other.bin', Buffer.from('another object'));
      const v1 = await fx.ufs.stat(key);
      const listedId = async (): Promise<string | undefined> => (await collect(fx.ufs.list('kept'))).find((e) => e.path === key)?.versionId;
      if (!fx.keepsVersions) {
        assert.equal(v1.versionId, undefined, 'no versionId without versioning');
        assert.equal(await listedId(), undefined);
        return;
      }
      assert.ok(v1.versionId, 'stat reports the versionId');
      assert.equal(await listedId(), v1.versionId, 'listing and stat agree on the versionId');
      await fx.put(key, next);
      const v2 = await fx.ufs.stat(key);
      assert.ok(v2.versionId !== undefined && v2.versionId !== v1.versionId, 'an overwrite is a new versionId');
      assert.equal(await listedId(), v2.versionId, 'the listing shows the current version');
      const listed = await collect(fx.ufs.list('kept', { recursive: false }));
      assert.deepEqual(listed.map((e) => e.path).sort(), ['kept/other.bin', key], 'older versions are not listed');
      assert.equal(listed.find((e) => e.path === key)?.size, next.length);

      const oldId = v1.versionId;
      const read = async (o: { offset?: number; length?: number; ifMatch?: string }): Promise<Buffer> =>
        await readAll(await fx.ufs.read(key, { ...o, versionId: oldId }));
      assert.deepEqual(await read({}), old, 'the whole old version');
      assert.deepEqual(await read({ offset: TEST_BLOCK, length: TEST_BLOCK, ifMatch: v1.version }), old.subarray(TEST_BLOCK, 2 * TEST_BLOCK));
      assert.deepEqual(await read({ offset: 2 * TEST_BLOCK + 7, ifMatch: v1.version }), old.subarray(2 * TEST_BLOCK + 7),
        'past the new version\'s EOF, still inside the old one');
      assert.equal((await read({ offset: old.length, length: 10, ifMatch: v1.version })).length, 0, 'at the old EOF: empty');
      assert.equal((await read({ offset: 3, length: 0, ifMatch: v1.version })).length, 0);
      await assert.rejects(read({ ifMatch: v2.version }), VersionMismatchError, 'ifMatch is checked against that version');
      await assert.rejects(read({ offset: 3, length: 0, ifMatch: v2.version }), VersionMismatchError);
      await assert.rejects(fx.ufs.read('kept/other.bin', { versionId: oldId }), NotFoundError, 'a versionId of another key');
      assert.deepEqual(await readAll(await fx.ufs.read(key)), next, 'without versionId: the current version');
    });

    test('a missing key is NotFoundError for stat and read', async () => {
      await assert.rejects(fx.ufs.stat('missing/nope.bin'), NotFoundError);
      await assert.rejects(fx.ufs.read('missing/nope.bin'), NotFoundError);
      await assert.rejects(fx.ufs.read('missing/nope.bin', { offset: 10, length: 10 }), NotFoundError);
    });

    test('paths cannot escape the mount: .., NUL, absolute and empty segments are ValidationError', async () => {
      for (const bad of ['../etc/passwd', 'a/../../b', '/etc/passwd', 'a\0b', 'a//b', './a', '']) {
        await assert.rejects(fx.ufs.stat(bad), ValidationError, `stat ${JSON.stringify(bad)}`);
        await assert.rejects(fx.ufs.read(bad), ValidationError, `read ${JSON.stringify(bad)}`);
      }
      await assert.rejects(collect(fx.ufs.list('../up')), ValidationError);
    });

    test('read() resolves with a stream that can be aborted through its signal', async () => {
      const key = 'stream/big.bin';
      await fx.put(key, randomBytes(4 * 1024 * 1024));
      const ac = new AbortController();
      const stream = await fx.ufs.read(key, { signal: ac.signal });
      const first = await new Promise<Buffer>((resolve, reject) => { stream.once('data', resolve); stream.once('error', reject); });
      assert.ok(first.length > 0);
      ac.abort();
      await assert.rejects(readAll(stream));
      const aborted = new AbortController();
      aborted.abort();
      await assert.rejects(fx.ufs.stat(key, { signal: aborted.signal }), (e: Error) => e.name === 'AbortedError');
    });

    test('wrong credentials are AccessDeniedError naming the mount, never the secret', async (t) => {
      if (!fx.wrongCredentials) { t.diagnostic('driver has no credentials'); return; }
      const { ufs, secret } = fx.wrongCredentials();
      try {
        for (const op of [() => ufs.stat('sizes/obj-1.bin'), () => ufs.read('sizes/obj-1.bin'), () => collect(ufs.list(''))]) {
          await assert.rejects(op(), (err: Error) => {
            assert.ok(err instanceof AccessDeniedError, `got ${err.name}: ${err.message}`);
            assert.ok(err.message.includes(ufs.description), `message names the mount: ${err.message}`);
            assert.ok(!err.message.includes(secret), 'message does not contain the secret');
            assert.ok(!JSON.stringify(err).includes(secret), 'serialized error does not contain the secret');
            return true;
          });
        }
      } finally {
        await ufs.close();
      }
    });

    test('an unreachable endpoint fails fast with a typed error', async (t) => {
      if (!fx.unreachable) { t.diagnostic('driver has no network endpoint'); return; }
      const ufs = await fx.unreachable();
      try {
        const started = Date.now();
        for (const op of [() => ufs.stat('x'), () => ufs.read('x'), () => collect(ufs.list(''))]) {
          await assert.rejects(op(), (err: Error) => err instanceof UnreachableError || err instanceof TimeoutError);
        }
        assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
      } finally {
        await ufs.close();
      }
    });
  });
}

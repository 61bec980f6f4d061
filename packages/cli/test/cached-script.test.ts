// The bundle's CommonJS client stack runs from V8's code cache (src/startup/cached-script.ts): a
// cache made from the file is used, a stale or missing one is ignored and the file still runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheStamp, runCachedScript } from '../src/startup/cached-script.js';

const STACK = fileURLToPath(new URL('../../lib/bundle/client-stack.cjs', import.meta.url));

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-cached-script-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a CommonJS file runs with its exports, require and __dirname, with and without a cache', async () => {
  await withDir(async (dir) => {
    const file = join(dir, 'm.cjs');
    const cache = join(dir, 'm.cjs.cache');
    await writeFile(file, "exports.sep = require('node:path').sep; exports.dir = __dirname; exports.f = (x) => x * 2;");
    const first = runCachedScript(file, cache);
    assert.equal(first.fromCache, false, 'no cache yet');
    assert.deepEqual({ ...(first.exports as object), f: undefined }, { sep: '/', dir, f: undefined });
    await writeFile(cache, Buffer.concat([Buffer.from(cacheStamp(file)), first.script.createCachedData()]));
    const second = runCachedScript(file, cache);
    assert.equal(second.fromCache, true);
    assert.equal((second.exports as { f(x: number): number }).f(21), 42);
  });
});

test('a cache made from another version of the file is not used, and the file runs', async () => {
  await withDir(async (dir) => {
    const file = join(dir, 'm.cjs');
    const cache = join(dir, 'm.cjs.cache');
    await writeFile(file, 'exports.v = 1;');
    const { script } = runCachedScript(file, cache);
    await writeFile(cache, Buffer.concat([Buffer.from(cacheStamp(file)), script.createCachedData()]));
    // Same length, other code: V8 alone would accept the cache (it checks the source's length).
    await writeFile(file, 'exports.v = 2;');
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    const run = runCachedScript(file, cache);
    assert.equal(run.fromCache, false);
    assert.deepEqual(run.exports, { v: 2 });
    await writeFile(cache, 'not a cache');
    assert.deepEqual(runCachedScript(file, cache).exports, { v: 2 });
  });
});

test('the built bundle\'s client stack runs from the code cache npm run build wrote', () => {
  assert.ok(existsSync(STACK), `no ${STACK}: did \`npm run build\` bundle the CLI?`);
  const run = runCachedScript(STACK, `${STACK}.cache`);
  assert.equal(run.fromCache, true, 'the cache matches client-stack.cjs (rebuild with npm run build)');
  type Codecs = { eddy: { v1: Record<string, { decode?: unknown } | undefined> } };
  const { grpc, codecs } = run.exports as { grpc: { makeGenericClientConstructor: unknown }; codecs: Codecs };
  assert.equal(typeof grpc.makeGenericClientConstructor, 'function');
  assert.equal(typeof codecs.eddy.v1.GetResponse?.decode, 'function');
});

// Runs a CommonJS file of the CLI bundle (lib/bundle/client-stack.cjs: grpc-js and protobufjs)
// from V8's code cache, which `npm run build` writes next to it (scripts/bundle-cli.mjs). Node 20
// caches no compiled code for its module loaders, and compiling ~900 KiB of JavaScript, then each
// function it calls, was a large share of what `eddy get` spent before its first RPC.
//
// The cache file starts with a line naming what it was made from (the source file's size and
// modification time, Node's version and architecture): a rebuilt or edited bundle, or another
// Node, makes it stale and it is not offered to V8 at all (hashing the source would cost more
// than the cache saves). V8 itself rejects a cache whose V8 version, flags (`--cpu-prof`,
// `--inspect`) or source length differ. Either way the file is just compiled as usual: a stale
// or missing cache costs time, never correctness.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/** The same function wrapper Node's CommonJS loader puts around a module. */
const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const WRAP_TAIL = '\n});';

export interface CachedScript {
  /** The compiled file: `createCachedData()` after a run gives the cache to write. */
  script: Script;
  /** The module's `module.exports` after it ran. */
  exports: unknown;
  /** True when V8 compiled the file from the cache. */
  fromCache: boolean;
}

/** What a cache is valid for: this version of the file, this Node and this architecture. */
export function cacheStamp(file: string): string {
  const { size, mtimeMs } = statSync(file);
  return `eddy-code-cache ${size} ${mtimeMs} ${process.version} ${process.arch}\n`;
}

function readCache(cacheFile: string, stamp: string): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(cacheFile);
  } catch {
    return undefined; // no cache (never built, or removed): compile
  }
  const head = Buffer.from(stamp);
  return data.subarray(0, head.length).equals(head) ? data.subarray(head.length) : undefined;
}

/** Compiles `file` (from `cacheFile` when that cache was made from it) and runs it as a CommonJS module. */
export function runCachedScript(file: string, cacheFile: string): CachedScript {
  const stamp = cacheStamp(file);
  const source = readFileSync(file, 'utf8');
  const cachedData = readCache(cacheFile, stamp);
  const script = new Script(WRAP_HEAD + source + WRAP_TAIL, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: { exports: unknown }, f: string, d: string) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return { script, exports: module.exports, fromCache: cachedData !== undefined && script.cachedDataRejected === false };
}

#!/usr/bin/env node
// Bundles the `eddy` CLI (issue 12: a CLI that starts fast) with esbuild into
// packages/cli/lib/bundle/: main.js (commander, the commands' flags) and one lazily imported file
// per command action, with @eddy/protocol's client side in a shared chunk and grpc-js and the
// messages' codecs in client-stack.cjs (below). Node then reads and compiles a handful of files instead of ~170,
// which is most of what `eddy get` spent before its first RPC. packages/cli/bin/eddy.js uses the
// bundle while it is newer than the compiled code it was made from (see there), else lib/src.
//
// What is bundled is an allowlist (BUNDLED): the CLI's own code, commander, and the client stack.
// Everything else stays an ordinary import resolved from node_modules at run time, most of all
// @eddy/core (one copy of the error classes: `instanceof EddyError` must hold for errors thrown
// by the master, worker or mount that `eddy up` runs in-process) and the component packages.
//
// The CommonJS part of the client stack is a separate file, lib/bundle/client-stack.cjs: grpc-js,
// and the eddy.v1 messages as protobufjs static code, which pbjs (protobufjs-cli) generates here
// from proto/ into lib/proto-static/ with the same code generators protobufjs runs at start-up
// for reflection types. In the bundle, @eddy/protocol's message-codecs.js is replaced by a module
// that takes each codec from that static code: the same encoding, without building ~60 types
// from the JSON descriptor and compiling their codecs every time a command starts.
// The ESM bundle runs client-stack.cjs through V8's code cache (src/startup/cached-script.ts):
// Node 20 caches no compiled code itself, and compiling that file, then every function `eddy get`
// calls in it, was one of the largest costs left. The cache (client-stack.cjs.cache) is made here,
// after a call through the stack to a local gRPC server, so the functions a client call runs are in it.
// Runs after `tsc -b` (it bundles the compiled JavaScript) as part of `npm run build`.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'packages/cli');
const outdir = join(cli, 'lib/bundle');

/** Packages compiled into the bundle; every other bare import stays external. */
const BUNDLED = new Set(['@eddy/protocol', 'commander', '@grpc/grpc-js', 'protobufjs', 'long', '@js-sdsl/ordered-map']);
const BUNDLED_SCOPES = ['@protobufjs/'];
const STACK_FILE = join(outdir, 'client-stack.cjs');
const STATIC_CODECS = join(cli, 'lib/proto-static/eddy-v1.cjs');
const CACHED_SCRIPT = join(cli, 'lib/src/startup/cached-script.js');

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Bare imports outside the allowlist are left to Node's resolver at run time. */
const externalsPlugin = {
  name: 'eddy-externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || args.path.startsWith('/')) return undefined;
      const name = packageName(args.path);
      if (BUNDLED.has(name) || BUNDLED_SCOPES.some((s) => name.startsWith(s))) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/**
 * In the ESM bundle, `import * as grpc from '@grpc/grpc-js'` becomes a module that re-exports
 * client-stack.cjs's grpc-js, by name (the names grpc-js exports, read here), and @eddy/protocol's
 * message-codecs.js one that takes the codecs from the stack's static code. Reflection
 * (protobufjs/light.js) has no place in the bundle: importing it fails the build.
 */
const clientStackPlugin = {
  name: 'eddy-client-stack',
  setup(b) {
    const ns = 'eddy-client-stack';
    b.onResolve({ filter: /^(@grpc\/grpc-js|eddy-client-stack)$/ }, (args) => ({ path: args.path, namespace: ns }));
    b.onResolve({ filter: /^protobufjs(\/|$)/ }, (args) => ({ errors: [{ text: `${args.path} imported by ${args.importer}: the bundle has static codecs only` }] }));
    b.onResolve({ filter: /^\.\/message-codecs\.js$/ }, (args) => (
      /[/\\]protocol[/\\]lib[/\\]src[/\\]rpc$/.test(args.resolveDir) ? { path: 'message-codecs', namespace: ns } : undefined));
    b.onLoad({ filter: /.*/, namespace: ns }, (args) => {
      if (args.path === 'eddy-client-stack') {
        // The loader lands in main.js or in a chunk (chunks/): client-stack.cjs is in the bundle's top folder.
        const contents = `import { runCachedScript } from ${JSON.stringify(CACHED_SCRIPT)};
import { fileURLToPath } from 'node:url';
let stack;
export function clientStack() {
  if (stack === undefined) {
    const dir = fileURLToPath(new URL('.', import.meta.url)).replace(/\\/chunks\\/$/, '/');
    stack = runCachedScript(dir + 'client-stack.cjs', dir + 'client-stack.cjs.cache').exports;
  }
  return stack;
}`;
        return { contents, resolveDir: cli, loader: 'js' };
      }
      if (args.path === 'message-codecs') {
        const contents = `import { clientStack } from 'eddy-client-stack';
export function messageCodec(name) {
  const codec = clientStack().codecs.eddy.v1[name];
  if (!codec) throw new Error('no message eddy.v1.' + name + ' in the static codecs');
  return codec;
}`;
        return { contents, resolveDir: cli, loader: 'js' };
      }
      const names = Object.keys(createRequire(join(cli, 'package.json'))(args.path)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');
      const contents = `import { clientStack } from 'eddy-client-stack';
const m = clientStack().grpc;
export default m;
export const { ${names.join(', ')} } = m;`;
      return { contents, resolveDir: cli, loader: 'js' };
    });
  },
};

/**
 * The eddy.v1 messages as protobufjs static code (CommonJS), named as @grpc/proto-loader names
 * them (camelCase fields: pbjs's default, as keepCase false): encode, decode, fromObject and
 * toObject, nothing else (no verify, delimited forms or service stubs, which the CLI never calls).
 */
async function generateStaticCodecs() {
  mkdirSync(dirname(STATIC_CODECS), { recursive: true });
  const pbjs = join(root, 'node_modules/.bin/pbjs');
  if (!existsSync(pbjs)) {
    // A checkout installed before protobufjs-cli was added: reflection types in the same shape,
    // built from the descriptor at start as before, until `npm ci` brings pbjs.
    console.warn('bundle-cli: no pbjs (protobufjs-cli); run `npm ci`. Bundling reflection codecs instead of static code.');
    const { EDDY_V1_DESCRIPTOR } = await import(pathToFileURL(join(root, 'packages/protocol/lib/src/gen/descriptor.js')).href);
    writeFileSync(STATIC_CODECS, `const protobuf = require('protobufjs/light.js');
const root = protobuf.Root.fromJSON(${JSON.stringify(EDDY_V1_DESCRIPTOR)});
const type = (name) => { const t = root.lookup('eddy.v1.' + String(name)); return t instanceof protobuf.Type ? t : undefined; };
module.exports = { eddy: { v1: new Proxy({}, { get: (_t, name) => type(name) }) } };
`);
    return;
  }
  const protos = readdirSync(join(root, 'proto/eddy/v1')).filter((f) => f.endsWith('.proto')).sort().map((f) => join(root, 'proto/eddy/v1', f));
  execFileSync(pbjs, [
    '-t', 'static-module', '-w', 'commonjs', '--no-verify', '--no-delimited', '--no-service', '--no-comments', '--no-beautify',
    '-p', join(root, 'proto'), '-o', STATIC_CODECS, ...protos,
  ], { stdio: 'inherit' });
}

/**
 * Built-in modules that a bundled package requires when it loads but uses only on paths the CLI
 * does not take: commander's node:child_process (subcommands that are separate executables; the
 * CLI has none), which pulls in net and dgram; grpc-js's zlib (compressed messages; the master
 * sends none). For those importers, a stand-in that requires the module on first use.
 */
const LAZY_BUILTINS = [
  { module: 'node:child_process', importer: /[/\\]node_modules[/\\]commander[/\\]/ },
  { module: 'zlib', importer: /[/\\]node_modules[/\\]@grpc[/\\]grpc-js[/\\]/ },
];
const lazyBuiltinsPlugin = {
  name: 'eddy-lazy-builtins',
  setup(b) {
    const ns = 'eddy-lazy-builtin';
    b.onResolve({ filter: /^(node:child_process|zlib)$/ }, (args) => {
      const lazy = LAZY_BUILTINS.some((l) => l.module === args.path && l.importer.test(args.importer));
      return lazy ? { path: args.path, namespace: ns } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: ns }, (args) => ({
      contents: `let m;
module.exports = new Proxy({}, { get: (_t, name) => (m ??= require(${JSON.stringify(args.path)}))[name] });`,
      loader: 'js',
    }));
  },
};

rmSync(outdir, { recursive: true, force: true });
await generateStaticCodecs();
const stack = await build({
  stdin: {
    contents: `module.exports = { grpc: require('@grpc/grpc-js'), codecs: require(${JSON.stringify(STATIC_CODECS)}) };`,
    resolveDir: cli,
    sourcefile: 'client-stack-entry.cjs',
    loader: 'js',
  },
  outfile: STACK_FILE,
  plugins: [lazyBuiltinsPlugin],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  metafile: true,
  logLevel: 'warning',
});
const result = await build({
  entryPoints: { main: join(cli, 'lib/src/main.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  // CommonJS packages in the bundle (commander) call require() for Node's built-ins.
  banner: { js: "import { createRequire as __eddyCreateRequire } from 'node:module'; const require = __eddyCreateRequire(import.meta.url);" },
  plugins: [lazyBuiltinsPlugin, clientStackPlugin, externalsPlugin],
  metafile: true,
  logLevel: 'warning',
});

/**
 * Runs client-stack.cjs as `eddy get` does (a client of a Master-like service, one unary call to
 * a server on 127.0.0.1, messages built from the eddy.v1 descriptor), then writes V8's code cache
 * of everything compiled so far, stamped with what it was made from.
 */
async function writeCodeCache() {
  const { runCachedScript, cacheStamp } = await import(pathToFileURL(CACHED_SCRIPT).href);
  const { script, exports } = runCachedScript(STACK_FILE, `${STACK_FILE}.none`);
  const { grpc, codecs } = exports;
  const [req, res] = [codecs.eddy.v1.GetRequest, codecs.eddy.v1.GetResponse];
  const toObject = { longs: Number, enums: String, defaults: true, oneofs: true };
  const method = {
    path: '/eddy.v1.Master/Get', requestStream: false, responseStream: false, originalName: 'get',
    requestSerialize: (v) => Buffer.from(req.encode(req.fromObject(v)).finish()),
    requestDeserialize: (b) => req.toObject(req.decode(b), toObject),
    responseSerialize: (v) => Buffer.from(res.encode(res.fromObject(v)).finish()),
    responseDeserialize: (b) => res.toObject(res.decode(b), toObject),
  };
  const reply = {
    resources: [{ kind: 'Dataset', metadata: { name: 'demo', labels: { a: 'b' }, creationTimeMs: 1764547200000 }, dataset: { mounts: [{ mountPoint: 'file:///d' }] } }],
  };
  const server = new grpc.Server();
  server.addService({ Get: method }, { Get: (_call, done) => done(null, reply) });
  const port = await new Promise((ok, fail) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? fail(err) : ok(p)));
  });
  const Client = grpc.makeGenericClientConstructor({ Get: method }, 'Master');
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  try {
    await new Promise((ok, fail) => {
      const meta = new grpc.Metadata();
      meta.set('authorization', 'Bearer x');
      client.Get({ kind: 'dataset' }, meta, { deadline: Date.now() + 10_000 }, (err) => (err ? fail(err) : ok()));
    });
  } finally {
    client.close();
    server.forceShutdown();
  }
  const data = script.createCachedData();
  writeFileSync(`${STACK_FILE}.cache`, Buffer.concat([Buffer.from(cacheStamp(STACK_FILE)), data]));
  return data.length;
}

const cacheBytes = await writeCodeCache();
const outputs = { ...stack.metafile.outputs, ...result.metafile.outputs };
const bytes = Object.values(outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`bundle-cli: ${Object.keys(outputs).length} files, ${(bytes / 1024).toFixed(0)} KiB in packages/cli/lib/bundle/, ` +
  `code cache ${(cacheBytes / 1024).toFixed(0)} KiB`);

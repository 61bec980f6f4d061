#!/usr/bin/env node
// Bundles the `eddy` CLI (issue 12: a CLI that starts fast) with esbuild into
// packages/cli/lib/bundle/: main.js (commander, the commands' flags) and one lazily imported file
// per command action, with the gRPC client stack (@eddy/protocol's client side, @grpc/grpc-js,
// protobufjs) in a shared chunk. Node then reads and compiles a handful of files instead of ~170,
// which is most of what `eddy get` spent before its first RPC. packages/cli/bin/eddy.js uses the
// bundle while it is newer than the compiled code it was made from (see there), else lib/src.
//
// What is bundled is an allowlist (BUNDLED): the CLI's own code, commander, and the client stack.
// Everything else stays an ordinary import resolved from node_modules at run time, most of all
// @eddy/core (one copy of the error classes: `instanceof EddyError` must hold for errors thrown
// by the master, worker or mount that `eddy up` runs in-process) and the component packages.
// Runs after `tsc -b` (it bundles the compiled JavaScript) as part of `npm run build`.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'packages/cli');
const outdir = join(cli, 'lib/bundle');

/** Packages compiled into the bundle; every other bare import stays external. */
const BUNDLED = new Set(['@eddy/protocol', 'commander', '@grpc/grpc-js', 'protobufjs', 'long', '@js-sdsl/ordered-map']);
const BUNDLED_SCOPES = ['@protobufjs/'];

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

rmSync(outdir, { recursive: true, force: true });
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
  // CommonJS packages in the bundle (grpc-js, protobufjs) call require() for Node's built-ins.
  banner: { js: "import { createRequire as __eddyCreateRequire } from 'node:module'; const require = __eddyCreateRequire(import.meta.url);" },
  plugins: [externalsPlugin],
  metafile: true,
  logLevel: 'warning',
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`bundle-cli: ${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1024).toFixed(0)} KiB in packages/cli/lib/bundle/`);

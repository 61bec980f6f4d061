#!/usr/bin/env node
import { statSync } from 'node:fs';

// Start-up (issue 12): `npm run build` bundles the CLI (scripts/bundle-cli.mjs) into lib/bundle/,
// a few files instead of ~170 modules for `eddy get`. The bundle carries its own copy of the
// gRPC client stack, so the commands that start a master, worker or mount in this process (which
// load @eddy/protocol and grpc-js from node_modules) run the compiled modules instead: one gRPC
// stack per process. So does everything when the bundle is missing or older than a `tsc -b` of
// the code it bundles (the CLI and @eddy/protocol; @eddy/core and the rest stay imports), or
// with EDDY_CLI_BUNDLE=0. Both paths run the same code.
const SERVER_COMMANDS = new Set(['master', 'worker', 'mount', 'up']);
/** Global options that take a value (`eddy --master H:P get dataset`). */
const VALUE_OPTIONS = new Set(['--master', '--token-file']);

function commandOf(argv) {
  for (let i = 0; i < argv.length; i++) {
    if (VALUE_OPTIONS.has(argv[i])) i++;
    else if (!argv[i].startsWith('-')) return argv[i];
  }
  return undefined;
}

function mtimeMs(rel) {
  return statSync(new URL(rel, import.meta.url), { throwIfNoEntry: false })?.mtimeMs;
}

function bundleIsFresh() {
  const bundle = mtimeMs('../lib/bundle/main.js');
  if (bundle === undefined) return false;
  // No build record (after `tsc -b --clean`): nothing says what the bundle was made from.
  return ['../lib/.tsbuildinfo', '../../protocol/lib/.tsbuildinfo'].every((f) => (mtimeMs(f) ?? Infinity) <= bundle);
}

const argv = process.argv.slice(2);
const useBundle = process.env.EDDY_CLI_BUNDLE !== '0' && !SERVER_COMMANDS.has(commandOf(argv)) && bundleIsFresh();
const { main } = await import(useBundle ? '../lib/bundle/main.js' : '../lib/src/main.js');
// A reader that went away (`eddy get dataset | head`) ends the output, not the command with a
// stack trace: stop quietly, as other command-line tools do.
process.stdout.on('error', (err) => {
  if (err && err.code === 'EPIPE') process.exit(0);
  throw err;
});
main(argv).then((code) => {
  process.exitCode = code;
  // A finished command should not linger on a handle someone forgot (a socket, a native FUSE
  // thread): give the event loop a moment to drain, then exit. unref: never delays a clean exit.
  setTimeout(() => process.exit(code), 3000).unref();
}, (err) => {
  process.stderr.write(`eddy: ${err && err.message ? err.message : String(err)}\n`);
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 3000).unref();
});

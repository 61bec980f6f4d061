#!/usr/bin/env node
import { main } from '../lib/src/main.js';
// A reader that went away (`eddy get dataset | head`) ends the output, not the command with a
// stack trace: stop quietly, as other command-line tools do.
process.stdout.on('error', (err) => {
  if (err && err.code === 'EPIPE') process.exit(0);
  throw err;
});
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // A finished command should not linger on a handle someone forgot (a socket, a native FUSE
  // thread): give the event loop a moment to drain, then exit. unref: never delays a clean exit.
  setTimeout(() => process.exit(code), 3000).unref();
}, (err) => {
  process.stderr.write(`eddy: ${err && err.message ? err.message : String(err)}\n`);
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 3000).unref();
});

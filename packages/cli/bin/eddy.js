#!/usr/bin/env node
import { main } from '../lib/src/main.js';
main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => {
  process.stderr.write(`eddy: ${err && err.message ? err.message : String(err)}\n`);
  process.exitCode = 1;
});

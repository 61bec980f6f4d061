// The public surface of @eddy/cli: `main(argv)` for embedding the command line (tests run it
// in-process) and the process edges it takes.
export { main, type MainOptions } from './main.js';
export type { CliIo, OutputStream } from './cli-io.js';

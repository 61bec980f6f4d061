export { main, buildProgram, type MainOptions } from './main.js';
export type { CliIo, OutputStream } from './cli-io.js';
export type { CommandContext } from './command-context.js';

// What every `eddy` subcommand gets from main: the process edges and a way to read the global
// flags (commander parses them per invocation, so they are read lazily).
import type { Command } from 'commander';
import type { CliIo } from './cli-io.js';
import type { GlobalOptions } from './master-connection.js';

export interface CommandContext {
  io: CliIo;
  /** Aborted on SIGINT/SIGTERM (or by the embedding test): long-running commands stop cleanly. */
  signal: AbortSignal;
  /** Set by commands that finish without throwing but must exit non-zero (e.g. a Failed load). */
  exitCode: number;
}

export function globalsOf(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals<{ master?: string; tokenFile?: string; tlsCa?: string }>();
  return { master: o.master, tokenFile: o.tokenFile, tlsCa: o.tlsCa };
}

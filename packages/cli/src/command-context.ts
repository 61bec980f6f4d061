// What every `eddy` subcommand gets from main: the process edges, the process's one stop
// signal, and a way to read the connection flags (commander parses them per invocation).
import type { Command } from 'commander';
import type { CliIo } from './cli-io.js';
import type { ConnectionFlags } from './connection/resolve-connection.js';

export interface CommandContext {
  io: CliIo;
  /** Aborted on SIGINT/SIGTERM (or by the embedding test): long-running commands stop cleanly. */
  signal: AbortSignal;
  /** Set by commands that finish without throwing but must exit non-zero (e.g. a Failed load). */
  exitCode: number;
}

/** --master, --token-file and --tls-ca: the command's own flags over the global ones. */
export function connectionFlags(cmd: Command): ConnectionFlags {
  const o = cmd.optsWithGlobals<ConnectionFlags>();
  return { master: o.master, tokenFile: o.tokenFile, tlsCa: o.tlsCa };
}

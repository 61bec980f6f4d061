// Turns anything a command throws into the one line `eddy: <reason>` and an exit code. Typed
// errors carry messages written for users (and free of secrets); anything else is a bug, whose
// stack is shown only with EDDY_DEBUG=1. main loads this module only when a command failed.
import { EddyError } from '@eddy/core';
import { EXIT_USAGE, UsageError } from './usage-error.js';

export const EXIT_FAILURE = 1;

export function errorLine(err: unknown, env: NodeJS.ProcessEnv = {}): string {
  let reason: string;
  if (err instanceof EddyError || err instanceof UsageError) reason = err.message;
  else if (err instanceof Error) reason = env.EDDY_DEBUG === '1' && err.stack ? err.stack : `internal error: ${err.message}`;
  else reason = `internal error: ${String(err)}`;
  // One line: a multi-line reason (a wrapped server message) is folded.
  if (env.EDDY_DEBUG !== '1') reason = reason.replace(/\s*\n\s*/g, '; ');
  return `eddy: ${reason}\n`;
}

export function exitCodeFor(err: unknown): number {
  return err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
}

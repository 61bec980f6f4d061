// Shared by the long-running commands (master, worker, mount, up): they run until the process's
// stop signal (main's one AbortController, fed by SIGINT/SIGTERM) aborts.

/** Resolves once `signal` is aborted (at once if it already is). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Commander accumulator for a repeatable flag (`--tier a --tier b`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

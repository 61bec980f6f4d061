// Shared by the long-running commands (master, worker, mount): they run until SIGINT/SIGTERM.

/** Resolves when the process gets SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** Commander accumulator for a repeatable flag (`--tier a --tier b`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

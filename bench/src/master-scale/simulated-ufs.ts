// A SIMULATED bucket for the master-scale bench: a UFS driver that lists N synthetic objects
// (1,000 per directory, 1 MiB each, with ETags) from a counter, with no storage behind it. It
// stands in for a store's listing so the bench measures the master's cost, not a server's; it
// cannot be read.
import type { UfsListEntry, UnderFileSystem } from '@eddy/ufs';

export const FILES_PER_DIR = 1000;
export const SIM_FILE_SIZE = 1024 * 1024;

/** Path (inside the dataset, leading slash) of simulated object i. */
export function simPath(i: number): string {
  return `/d${String(Math.floor(i / FILES_PER_DIR)).padStart(5, '0')}/f${String(i).padStart(7, '0')}.bin`;
}

export function simVersion(i: number): string {
  return `"etag-${i}"`;
}

export function simulatedUfs(files: number): UnderFileSystem {
  return {
    description: `simulated://${files} objects`,
    stat: () => Promise.reject(new Error('the simulated bucket only lists')),
    read: () => Promise.reject(new Error('the simulated bucket only lists')),
    close: () => Promise.resolve(),
    async *list(): AsyncIterable<UfsListEntry> {
      for (let i = 0; i < files; i++) {
        yield { path: simPath(i).slice(1), size: SIM_FILE_SIZE, version: simVersion(i), mtimeMs: 1_700_000_000_000 + i, isDirectory: false };
      }
    },
  };
}

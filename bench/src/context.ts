// What every workload gets: the options, the started filesystem targets, the bucket and a log.
import type * as Minio from 'minio';
import type { BenchOptions } from './options.js';
import type { Fixture } from './fixture.js';
import type { FsTarget, S3Access } from './targets/target.js';
import type { Cleanup } from './exec.js';

export interface BenchContext {
  opts: BenchOptions;
  /** Started filesystem targets, in report order (ceiling, peers, eddy). */
  targets: FsTarget[];
  /** Whether the direct-GET reference is selected. */
  direct: boolean;
  client: Minio.Client;
  access: S3Access;
  fixture: Fixture;
  workDir: string;
  cleanup: Cleanup;
  log: (message: string) => void;
  /** Records a non-fatal failure (shown in RESULTS.md). */
  error: (where: string, err: unknown) => void;
}

/** Runs fn for a target and records (not throws) its failure, so one broken target does not end the run. */
export async function guarded<T>(ctx: BenchContext, where: string, fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    ctx.error(where, err);
    return null;
  }
}

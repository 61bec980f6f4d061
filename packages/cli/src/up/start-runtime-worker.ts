// Starts one worker of a Runtime for `eddy up` (in-process, loopback, free ports).
import type { Logger, TierLevel } from '@eddy/common';

export interface RuntimeWorkerOptions {
  masterAddress: string;
  token: string;
  runtime: string;
  workerId: string;
  tiers: TierLevel[];
  blockSize: number;
  logger: Logger;
}

export interface RuntimeWorker {
  workerId: string;
  close(): Promise<void>;
}

export async function startRuntimeWorker(options: RuntimeWorkerOptions): Promise<RuntimeWorker> {
  void options;
  throw new Error('startWorker is not available yet');
}

// Runs one DataLoad from the bench process itself, for the bench's Eddy clusters (eddy-target.ts,
// region-cluster.ts): the manifest goes to the master's Apply and the status is polled with Get,
// over one gRPC channel with the admin token, the requests `eddy apply` and `eddy get` send. The
// bench used to start an `eddy get dataload` process per poll: on the 2-core machine each cost
// ~0.5 s of CPU, taken from the load being measured, and the measured time was rounded up to the
// next poll. The duration reported is the DataLoad's own (status.durationMs: the master's clock
// from the start of the run, at the Apply, to its end), so neither the poll's period nor its
// latency is in it.
import { createMasterClient, type MasterRpc, type proto } from '@eddy/protocol/rpc';

export interface RunDataLoadOptions {
  masterAddress: string;
  /** A token allowed to apply and get DataLoads (the admin's). */
  token: string;
  /** The DataLoad's name, as in `manifest`. */
  name: string;
  /** The DataLoad manifest (YAML), applied as `eddy apply -f` would. */
  manifest: string;
  /** How long the DataLoad may take, polls included. */
  timeoutMs: number;
  /** Time between polls. Default 100 ms: one Get in-process is a fraction of a millisecond of CPU. */
  intervalMs?: number;
  /** Called before every poll; throwing ends the wait with that error (e.g. a cluster process exited). */
  check?: () => void;
  signal?: AbortSignal;
}

/** A DataLoad that finished Complete, as its status says. */
export interface DataLoadOutcome {
  /** The run's duration on the master's clock (start of the run to its end). */
  durationMs: number;
  /** From the apply's answer to the poll that saw Complete (what the bench measured before, minus the CLI starts). */
  observedMs: number;
  /** Bytes the workers fetched from the UFS for this run. */
  bytesFetched: number;
  polls: number;
}

/** The DataLoad ended Failed; `message` is its Failed condition's. */
export class DataLoadFailedError extends Error {
  override readonly name = 'DataLoadFailedError';
}

/** The DataLoad did not finish within `timeoutMs`; the message names the last status seen (or the last error). */
export class DataLoadTimeoutError extends Error {
  override readonly name = 'DataLoadTimeoutError';
}

const DEFAULT_INTERVAL_MS = 100;
/** Deadline of the Apply and of one Get: a loaded machine answers late, and a late Get is only a skipped poll. */
const RPC_TIMEOUT_MS = 30_000;

function describe(status: proto.DataLoadStatus__Output | undefined): string {
  if (status === undefined) return 'no status yet';
  const p = status.progress;
  return `${status.phase || 'Pending'}${p ? `, ${p.bytesDone} of ${p.bytesTotal} bytes` : ''}`;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Applies the DataLoad and resolves when it is Complete; rejects with DataLoadFailedError when it
 * ends Failed, DataLoadTimeoutError after `timeoutMs`. A Get that fails (the master busy, a reset
 * stream on a loaded machine) is retried at the next poll; its error is named on timeout. Use a
 * fresh name per run: the status of an earlier Complete run of the same name would end the wait.
 */
export async function runDataLoad(o: RunDataLoadOptions): Promise<DataLoadOutcome> {
  const rpc = createMasterClient(o.masterAddress, { token: o.token });
  try {
    await rpc.apply({ manifests: o.manifest }, { timeoutMs: RPC_TIMEOUT_MS, ...(o.signal ? { signal: o.signal } : {}) });
    return await poll(rpc, o);
  } finally {
    rpc.close();
  }
}

async function poll(rpc: MasterRpc, o: RunDataLoadOptions): Promise<DataLoadOutcome> {
  const t0 = performance.now();
  const deadline = Date.now() + o.timeoutMs;
  let last: proto.DataLoadStatus__Output | undefined;
  let lastErr: unknown;
  let polls = 0;
  for (;;) {
    o.signal?.throwIfAborted();
    o.check?.();
    polls++;
    try {
      const res = await rpc.get({ kind: 'DataLoad', name: o.name }, { timeoutMs: RPC_TIMEOUT_MS, ...(o.signal ? { signal: o.signal } : {}) });
      last = res.resources[0]?.dataload?.status ?? undefined;
      lastErr = undefined;
    } catch (err) {
      o.signal?.throwIfAborted();
      lastErr = err;
    }
    if (last?.phase === 'Failed') {
      const why = last.conditions.find((c) => c.type === 'Failed')?.message ?? last.conditions.map((c) => c.message).join('; ');
      throw new DataLoadFailedError(`DataLoad ${o.name} failed: ${why}`);
    }
    if (last?.phase === 'Complete') {
      return { durationMs: Number(last.durationMs), observedMs: performance.now() - t0, bytesFetched: Number(last.progress?.bytesFetched ?? 0), polls };
    }
    if (Date.now() > deadline) {
      const why = lastErr !== undefined ? `the last Get failed: ${lastErr instanceof Error ? lastErr.message : String(lastErr)}` : describe(last);
      throw new DataLoadTimeoutError(`DataLoad ${o.name} did not finish within ${o.timeoutMs} ms (${why})`);
    }
    await sleep(o.intervalMs ?? DEFAULT_INTERVAL_MS, o.signal);
  }
}

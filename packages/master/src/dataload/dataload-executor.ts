// Executes one DataLoad run: sync metadata, list the targets, plan against the live workers,
// send the batches (bounded overall and per worker), then free blocks of versions that no longer
// exist so CACHED never counts an old copy. Writes progress into the status it is given and
// returns what went wrong; an aborted run returns early and its problems do not matter.
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import { NotFoundError } from '@eddy/core';
import type { DataLoadContext, DataLoadFile } from './dataload-context.js';
import { mergeTargets, planDataLoad, type DataLoadPlan, type PlannedRef, type TargetFile } from './dataload-planner.js';
import type { DataLoadSpec } from './dataload-spec.js';
import { failedFilesProblem, type DataLoadStatus, type RunProblem } from './dataload-status.js';
import { RunTracker } from './run-tracker.js';

export interface DataLoadExecutorOptions {
  /** LoadBlocks calls in flight across all workers. */
  concurrency: number;
  /** LoadBlocks calls in flight to one worker. */
  perWorkerConcurrency: number;
  /** Blocks per LoadBlocks call. */
  batchBlocks: number;
}

export interface RunRequest {
  spec: DataLoadSpec;
  /** Reset by the caller for this run; the executor fills in progress and failedFiles. */
  status: DataLoadStatus;
  signal: AbortSignal;
  /** Until this time (epoch ms), a run that finds no live worker waits for one. */
  waitForWorkersUntilMs: number;
  /** Called whenever progress moved. */
  onProgress(): void;
  /** The DataLoad's logger. */
  log: Logger;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function withFailedFiles(status: DataLoadStatus, problems: RunProblem[]): RunProblem[] {
  const lead = failedFilesProblem(status.failedFiles);
  return lead === undefined ? problems : [lead, ...problems];
}

export class DataLoadExecutor {
  readonly #ctx: DataLoadContext;
  readonly #options: DataLoadExecutorOptions;

  constructor(ctx: DataLoadContext, options: DataLoadExecutorOptions) {
    this.#ctx = ctx;
    this.#options = options;
  }

  /** One run. Returns what went wrong (empty = Complete); throws only on bugs. */
  async execute(run: RunRequest): Promise<RunProblem[]> {
    const { spec, status, signal } = run;
    const dataset = spec.dataset;
    // Every run syncs metadata first, `loadMetadata` or not: a scheduled load exists to pull in
    // changed objects (the seed's plain dataload.yaml picks up an appended line on the next tick),
    // and loading from a stale listing would cache versions that no longer exist.
    try {
      await this.#ctx.datasets.refresh(dataset, { signal });
    } catch (err) {
      if (signal.aborted) return [];
      return [{ reason: 'MetadataSyncFailed', message: `refreshing the metadata of dataset ${dataset} failed: ${errorMessage(err)}` }];
    }
    let layout: { runtime: string; blockSize: number };
    try {
      layout = this.#ctx.datasets.layout(dataset);
    } catch (err) {
      return [{ reason: 'RuntimeNotFound', message: `dataset ${dataset} has no runtime: ${errorMessage(err)}` }];
    }
    const files = await this.#listTargets(spec, status, signal);
    const live = await this.#liveWorkers(layout.runtime, files.length > 0, run.waitForWorkersUntilMs, signal);
    if (signal.aborted) return [];
    if (files.length > 0 && live.length === 0) {
      const message = `runtime ${layout.runtime} has no live workers; nothing was loaded`;
      return withFailedFiles(status, [{ reason: 'NotEnoughWorkers', message }]);
    }
    const placement = this.#ctx.placement;
    const plan = planDataLoad({
      dataset, blockSize: layout.blockSize, files, liveWorkers: live, batchBlocks: this.#options.batchBlocks,
      holders: (key) => placement.holders(key),
      preferredWorkers: (key, n) => placement.preferredWorkers(key, layout.runtime, n),
    });
    const problems: RunProblem[] = [];
    if (plan.wantedReplicas > live.length) {
      const n = live.length;
      const message = `${plan.wantedReplicas} replicas wanted but runtime ${layout.runtime} has ${n} live worker(s); `
        + `loaded ${n} replica(s) of each block`;
      problems.push({ reason: 'NotEnoughWorkers', message });
    }
    const tracker = new RunTracker(plan, status);
    run.onProgress();
    await this.#load(plan, tracker, run);
    if (signal.aborted) return [];
    await this.#freeStale(dataset, run.log, signal);
    if (signal.aborted) return [];
    return withFailedFiles(status, problems);
  }

  /** The target files, deduplicated; a target that cannot be listed is a failed file. Sets the totals. */
  async #listTargets(spec: DataLoadSpec, status: DataLoadStatus, signal: AbortSignal): Promise<TargetFile[]> {
    const listings: Array<{ replicas: number; files: DataLoadFile[] }> = [];
    for (const target of spec.targets) {
      if (signal.aborted) break;
      try {
        listings.push({ replicas: target.replicas, files: await this.#ctx.datasets.listFiles(spec.dataset, target.path) });
      } catch (err) {
        const message = err instanceof NotFoundError ? `not found in dataset ${spec.dataset}` : errorMessage(err);
        status.failedFiles.push({ path: target.path, message });
      }
    }
    const files = mergeTargets(listings);
    status.progress.filesTotal = files.length;
    status.progress.bytesTotal = files.reduce((sum, f) => sum + f.file.size, 0);
    return files;
  }

  /** Live workers; while `waitUntilMs` has not passed and some are needed, waits for the first one. */
  async #liveWorkers(runtime: string, needed: boolean, waitUntilMs: number, signal: AbortSignal): Promise<string[]> {
    const placement = this.#ctx.placement;
    const live = placement.liveWorkers(runtime);
    const timeoutMs = waitUntilMs - Date.now();
    if (!needed || live.length > 0 || timeoutMs <= 0) return live;
    const came = await placement.waitForLiveWorker(runtime, { timeoutMs, signal });
    return came ? placement.liveWorkers(runtime) : live;
  }

  /** Sends the plan's batches in order, bounded overall and per worker. */
  async #load(plan: DataLoadPlan, tracker: RunTracker, run: RunRequest): Promise<void> {
    const total = pLimit(this.#options.concurrency);
    const perWorker = new Map<string, LimitFunction>();
    await Promise.all(plan.batches.map(({ workerId, refs }) => {
      let limit = perWorker.get(workerId);
      if (limit === undefined) perWorker.set(workerId, (limit = pLimit(this.#options.perWorkerConcurrency)));
      return limit(() => total(async () => {
        if (run.signal.aborted) return;
        await this.#loadBatch(workerId, refs, tracker, run.signal);
        if (!run.signal.aborted) run.onProgress();
      }));
    }));
  }

  async #loadBatch(workerId: string, refs: PlannedRef[], tracker: RunTracker, signal: AbortSignal): Promise<void> {
    let results;
    try {
      results = await this.#ctx.workers.loadBlocks(workerId, refs, { signal });
    } catch (err) {
      if (signal.aborted) return;
      for (const ref of refs) tracker.failed(ref.key, `worker ${workerId}: ${errorMessage(err)}`);
      return;
    }
    const byKey = new Map(results.map((r) => [r.key, r]));
    for (const ref of refs) {
      const r = byKey.get(ref.key);
      if (r === undefined) tracker.failed(ref.key, `worker ${workerId} returned no result for block ${ref.index}`);
      else if (r.ok) tracker.loaded(r.key, r.bytesFetched);
      else tracker.failed(r.key, `${r.errorCode !== '' ? `${r.errorCode}: ` : ''}${r.errorMessage}`);
    }
  }

  /** Frees blocks of versions that no longer exist. Not a load failure: the next run retries. */
  async #freeStale(dataset: string, log: Logger, signal: AbortSignal): Promise<void> {
    let stale;
    try {
      stale = this.#ctx.datasets.staleBlocks(dataset);
    } catch (err) {
      log.warn({ err }, 'could not list stale blocks');
      return;
    }
    const byWorker = new Map<string, string[]>();
    for (const b of stale) {
      for (const w of b.workerIds) {
        const keys = byWorker.get(w);
        if (keys === undefined) byWorker.set(w, [b.key]);
        else keys.push(b.key);
      }
    }
    await Promise.all([...byWorker].map(async ([worker, keys]) => {
      try {
        const freed = await this.#ctx.workers.freeBlocks(worker, keys, { signal });
        log.info({ worker, freed }, 'freed blocks of replaced versions');
      } catch (err) {
        if (!signal.aborted) log.warn({ worker, err }, 'could not free stale blocks');
      }
    }));
  }
}

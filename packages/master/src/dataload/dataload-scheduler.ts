// Decides when DataLoads run: Once on apply, Cron on its schedule, and deletion after
// `ttlSecondsAfterFinished`. Runs of one DataLoad never overlap: a tick during a run is skipped
// and recorded. A run is planned and executed by DataLoadExecutor; its status (phase,
// conditions, progress, runs) is written through StatusWriter on every phase change and
// periodically during a run, so a master restart finds it and never leaves a DataLoad Executing.
import type { Logger } from 'pino';
import { ValidationError } from '@eddy/core';
import type { DataLoadManifest } from '@eddy/manifest';
import { MASTER_DEFAULTS } from '../master-options.js';
import type { DataLoadContext } from './dataload-context.js';
import { DataLoadExecutor } from './dataload-executor.js';
import { normaliseDataLoad, type DataLoadSpec, type NormalisedDataLoad } from './dataload-spec.js';
import {
  beginRun, dataLoadJournalKey, emptyDataLoadStatus, endRun, isUnfinished, markInterrupted, recordSkippedTick, restoreDataLoadStatus,
  setElapsed, type DataLoadRun, type DataLoadStatus, type RunProblem,
} from './dataload-status.js';
import { LongTimer } from './long-timer.js';
import { StatusWriter } from './status-writer.js';

export interface DataLoadSchedulerOptions {
  /** Clock for status timestamps; default `() => new Date()`. */
  now?: () => Date;
  /** LoadBlocks calls in flight across all workers of one run. */
  concurrency?: number;
  /** LoadBlocks calls in flight to one worker. */
  perWorkerConcurrency?: number;
  /** Blocks per LoadBlocks call. */
  batchBlocks?: number;
  /** Minimum interval between status writes to the journal during a run. */
  progressPersistMs?: number;
  /**
   * For this long after start(), a run that finds no live workers waits for one instead of
   * failing: a restarted master knows no workers until their next heartbeat re-registers them,
   * and the interrupted Once load it reruns at once would otherwise fail for good. Default 0.
   */
  startupWorkerWaitMs?: number;
}

interface ActiveRun {
  abort: AbortController;
  record: DataLoadRun;
  startMs: number;
  done: Promise<void>;
}

interface Entry {
  name: string;
  log: Logger;
  spec: DataLoadSpec;
  /** Identity of the spec: an apply with the same key changes nothing. */
  key: string;
  status: DataLoadStatus;
  writer: StatusWriter;
  cron?: LongTimer | undefined;
  ttl?: LongTimer | undefined;
  run?: ActiveRun | undefined;
  /** A Once whose spec changed during a run runs again when the run ends. */
  rerun: boolean;
  deleted: boolean;
}

export class DataLoadScheduler {
  readonly #ctx: DataLoadContext;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #executor: DataLoadExecutor;
  readonly #progressPersistMs: number;
  readonly #startupWorkerWaitMs: number;
  readonly #entries = new Map<string, Entry>();
  /** Applies in progress per name, so two applies of one DataLoad do not race on the journal. */
  readonly #applying = new Map<string, Promise<void>>();
  #startedAtMs: number | undefined;
  #closing: Promise<void> | undefined;

  constructor(ctx: DataLoadContext, logger: Logger, options: DataLoadSchedulerOptions = {}) {
    this.#ctx = ctx;
    this.#log = logger;
    this.#now = options.now ?? ((): Date => new Date());
    this.#executor = new DataLoadExecutor(ctx, {
      concurrency: options.concurrency ?? MASTER_DEFAULTS.dataLoadConcurrency,
      perWorkerConcurrency: options.perWorkerConcurrency ?? MASTER_DEFAULTS.dataLoadPerWorkerConcurrency,
      batchBlocks: options.batchBlocks ?? MASTER_DEFAULTS.dataLoadBatchBlocks,
    });
    this.#progressPersistMs = options.progressPersistMs ?? MASTER_DEFAULTS.dataLoadProgressPersistMs;
    this.#startupWorkerWaitMs = options.startupWorkerWaitMs ?? 0;
  }

  get #closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Starts scheduling. DataLoads applied before start() are armed now; later applies are armed
   * as they come. (The master calls onApply for every journaled DataLoad, then start.)
   */
  start(): void {
    if (this.#closed || this.#startedAtMs !== undefined) return;
    this.#startedAtMs = Date.now();
    for (const entry of this.#entries.values()) this.#arm(entry, true);
  }

  /**
   * Creates or updates a DataLoad; throws ValidationError naming a bad field. On first sight the
   * persisted status is read back: one left Executing by a master that stopped mid-run is marked
   * Failed ("master restarted during run"); a Cron load then runs at its next tick and a Once
   * load runs again. Resolves once the DataLoad is armed (a Once run is started, not awaited).
   */
  async onApply(dataload: DataLoadManifest): Promise<void> {
    if (this.#closed) throw new ValidationError('the DataLoad controller is closed', 'dataload');
    const next = normaliseDataLoad(dataload);
    const name = next.name;
    const applied = (this.#applying.get(name) ?? Promise.resolve()).then(() => this.#apply(next));
    const tracked = applied.catch(() => undefined);
    this.#applying.set(name, tracked);
    try {
      await applied;
    } finally {
      if (this.#applying.get(name) === tracked) this.#applying.delete(name);
    }
  }

  async #apply({ name, spec, key }: NormalisedDataLoad): Promise<void> {
    if (this.#closed) return;
    const existing = this.#entries.get(name);
    if (existing === undefined) {
      await this.#add(name, spec, key);
      return;
    }
    if (existing.key === key) return;
    existing.log.info('DataLoad spec changed');
    existing.spec = spec;
    existing.key = key;
    this.#disarm(existing);
    if (existing.run !== undefined && spec.policy === 'Once') {
      existing.rerun = true;
      return;
    }
    // A changed Once loads again; a changed Cron keeps its status and follows the new schedule.
    if (this.#startedAtMs === undefined) return;
    if (spec.policy === 'Once') this.#startRun(existing);
    else this.#arm(existing, false);
  }

  async #add(name: string, spec: DataLoadSpec, key: string): Promise<void> {
    const persisted = restoreDataLoadStatus(this.#ctx.journal.get(dataLoadJournalKey(name)));
    if (this.#closed || this.#entries.has(name)) return;
    const log = this.#log.child({ dataload: name });
    const entry: Entry = {
      name, log, spec, key,
      status: persisted ?? emptyDataLoadStatus(),
      writer: new StatusWriter(name, this.#ctx.journal, log, this.#progressPersistMs),
      rerun: false,
      deleted: false,
    };
    this.#entries.set(name, entry);
    if (entry.status.phase === 'Executing') {
      log.warn('DataLoad was executing when the master stopped; marking it Failed');
      markInterrupted(entry.status, this.#now());
      await this.#persist(entry);
    }
    if (this.#startedAtMs !== undefined) this.#arm(entry, true);
  }

  /** Forgets a DataLoad: cancels its timers, aborts a run in flight and drops its persisted status. */
  async onDelete(name: string): Promise<void> {
    await this.#applying.get(name);
    const entry = this.#entries.get(name);
    if (entry === undefined) return;
    this.#entries.delete(name);
    entry.deleted = true;
    this.#disarm(entry);
    entry.run?.abort.abort(new Error(`DataLoad ${name} was deleted`));
    await entry.run?.done;
    await entry.writer.stop();
    if (!this.#closed) await this.#ctx.journal.delete(dataLoadJournalKey(name));
    entry.log.info('DataLoad deleted');
  }

  /** The current status (a copy), or undefined if the DataLoad is unknown. */
  statusOf(name: string): DataLoadStatus | undefined {
    const entry = this.#entries.get(name);
    if (entry === undefined) return undefined;
    this.#refreshDuration(entry);
    return structuredClone(entry.status);
  }

  /** Names of the DataLoads the scheduler runs. */
  names(): string[] {
    return [...this.#entries.keys()];
  }

  /**
   * Stops: cancels timers and aborts runs in flight, then waits for them. An aborted run's status
   * is left as last persisted (Executing), so the next start marks it Failed and retries.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const entries = [...this.#entries.values()];
      for (const entry of entries) {
        this.#disarm(entry);
        entry.run?.abort.abort(new Error('the DataLoad controller is closing'));
      }
      await Promise.all(entries.map(async (entry) => {
        await entry.run?.done;
        await entry.writer.settled();
      }));
    })();
    return this.#closing;
  }

  // ---- timers ----

  #disarm(entry: Entry): void {
    entry.cron?.clear();
    entry.ttl?.clear();
    entry.cron = undefined;
    entry.ttl = undefined;
  }

  /** Cron → next tick; Once → run now if it has not finished (`onceRunsIfUnfinished`), else its ttl. */
  #arm(entry: Entry, onceRunsIfUnfinished: boolean): void {
    if (this.#closed || entry.deleted) return;
    if (entry.spec.policy === 'Cron') {
      this.#scheduleNext(entry, this.#now());
    } else if (onceRunsIfUnfinished && isUnfinished(entry.status)) {
      this.#startRun(entry);
    } else if (entry.run === undefined && (entry.status.phase === 'Complete' || entry.status.phase === 'Failed')) {
      this.#armTtl(entry);
    }
  }

  #scheduleNext(entry: Entry, after: Date): void {
    const schedule = entry.spec.schedule;
    if (schedule === undefined || this.#closed || entry.deleted) return;
    const next = schedule.nextRun(after);
    if (next === null) {
      entry.log.warn('schedule has no further fire time');
      return;
    }
    entry.cron = new LongTimer(next.getTime(), () => {
      entry.cron = undefined;
      this.#tick(entry, next);
    });
  }

  #tick(entry: Entry, fireAt: Date): void {
    if (this.#closed || entry.deleted) return;
    // Next fire time after both the planned time and now: a late timer must not fire twice.
    this.#scheduleNext(entry, new Date(Math.max(fireAt.getTime(), Date.now())));
    if (entry.run !== undefined) {
      recordSkippedTick(entry.status, entry.run.record);
      entry.log.info({ tick: fireAt.toISOString() }, 'tick skipped: the previous run is still executing');
      void this.#persist(entry);
      return;
    }
    this.#startRun(entry);
  }

  #armTtl(entry: Entry): void {
    const ttl = entry.spec.ttlSecondsAfterFinished;
    if (ttl === undefined || entry.spec.policy !== 'Once' || this.#closed || entry.deleted) return;
    const end = entry.status.runs.at(-1)?.end;
    const endMs = end !== undefined ? Date.parse(end) : this.#now().getTime();
    // The ttl counts on the status clock; the timer runs on the wall clock.
    const atMs = Date.now() + Math.max(0, endMs + ttl * 1000 - this.#now().getTime());
    entry.ttl?.clear();
    entry.ttl = new LongTimer(atMs, () => {
      entry.ttl = undefined;
      if (this.#closed || entry.deleted) return;
      entry.log.info({ ttlSecondsAfterFinished: ttl }, 'DataLoad expired after finishing');
      const expire = this.#ctx.expire !== undefined ? this.#ctx.expire(entry.name) : this.onDelete(entry.name);
      expire.catch((err: unknown) => entry.log.error({ err }, 'could not delete expired DataLoad'));
    });
  }

  // ---- runs ----

  #startRun(entry: Entry): void {
    if (this.#closed || entry.deleted || entry.run !== undefined) return;
    entry.ttl?.clear();
    entry.ttl = undefined;
    const startedAt = this.#now();
    const record = beginRun(entry.status, startedAt);
    const run: ActiveRun = { abort: new AbortController(), record, startMs: startedAt.getTime(), done: Promise.resolve() };
    entry.run = run;
    entry.log.info({ dataset: entry.spec.dataset }, 'DataLoad run started');
    void this.#persist(entry);
    // Persisted while a long batch is in flight too, so a watcher (or a restarted master reading
    // the journal) sees the run alive and its duration growing.
    const alive = setInterval(() => {
      if (entry.run === run && !run.abort.signal.aborted) void this.#persist(entry);
    }, Math.max(this.#progressPersistMs, 100));
    alive.unref();
    run.done = this.#executor.execute({
      spec: entry.spec, status: entry.status, signal: run.abort.signal, log: entry.log,
      waitForWorkersUntilMs: (this.#startedAtMs ?? 0) + this.#startupWorkerWaitMs,
      onProgress: () => this.#onProgress(entry),
    })
      .then((problems) => this.#finishRun(entry, run, problems))
      .catch((err: unknown) => {
        // execute reports expected failures as problems; reaching here is a bug or a journal error.
        entry.log.error({ err }, 'DataLoad run crashed');
        if (entry.run !== run) return undefined;
        return this.#finishRun(entry, run, [{ reason: 'InternalError', message: err instanceof Error ? err.message : String(err) }]);
      })
      .catch((err: unknown) => {
        entry.log.error({ err }, 'could not record the end of a DataLoad run');
      })
      .finally(() => {
        clearInterval(alive);
        if (entry.run === run) entry.run = undefined;
        if (entry.rerun && !this.#closed && !entry.deleted) {
          entry.rerun = false;
          this.#startRun(entry);
        }
      });
  }

  async #finishRun(entry: Entry, run: ActiveRun, problems: RunProblem[]): Promise<void> {
    entry.run = undefined;
    // Closing or deleted: leave the persisted status alone (a restart marks it Failed).
    if (run.abort.signal.aborted) return;
    const end = this.#now();
    const durationMs = Math.max(0, end.getTime() - run.startMs);
    const phase = endRun(entry.status, run.record, problems, durationMs, end);
    const p = entry.status.progress;
    entry.log.info({ phase, durationMs, bytesFetched: p.bytesFetched, problems: problems.map((x) => x.message) }, 'DataLoad run finished');
    await this.#persist(entry);
    if (entry.spec.policy === 'Once' && !entry.rerun) this.#armTtl(entry);
  }

  // ---- status ----

  #refreshDuration(entry: Entry): void {
    const run = entry.run;
    if (run !== undefined) setElapsed(entry.status, Math.max(0, this.#now().getTime() - run.startMs));
  }

  /** Progress during a run: tell the master, and persist at most every progressPersistMs. */
  #onProgress(entry: Entry): void {
    this.#refreshDuration(entry);
    this.#notify(entry);
    if (!this.#closed && !entry.deleted) entry.writer.writeThrottled(entry.status);
  }

  #notify(entry: Entry): void {
    try {
      this.#ctx.onProgress?.(entry.name);
    } catch (err) {
      entry.log.warn({ err }, 'onProgress listener threw');
    }
  }

  #persist(entry: Entry): Promise<void> {
    if (this.#closed || entry.deleted) return entry.writer.settled();
    this.#refreshDuration(entry);
    this.#notify(entry);
    return entry.writer.write(entry.status);
  }
}

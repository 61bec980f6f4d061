// Runs DataLoads: Once on apply, Cron on its schedule. A run makes each block of the current
// version of every target file held by `replicas` distinct live workers (delta: blocks already
// held cost nothing), then frees blocks of versions that no longer exist so CACHED never counts
// an old copy. Runs of one DataLoad never overlap: a tick during a run is skipped and recorded.
// Status is persisted through the context's journal on every phase change and periodically
// during a run, so a master restart finds it and never leaves a DataLoad Executing forever.
import pLimit from 'p-limit';
import { blockCount, blockKey, blockLength, formatDuration, NotFoundError, ValidationError, type Logger } from '@eddy/core';
import { parseSchedule, type CronSchedule } from '@eddy/manifest';
import { type proto } from '@eddy/protocol';
import type { DataLoadContext, DataLoadFile, DataLoadManifest } from './dataload-context.js';
import {
  dataLoadJournalKey,
  emptyDataLoadStatus,
  type DataLoadCondition,
  type DataLoadFailedFile,
  type DataLoadPhase,
  type DataLoadRun,
  type DataLoadStatus,
} from './dataload-status.js';

export interface DataLoadControllerOptions {
  /** Clock for status timestamps; default `() => new Date()`. */
  now?: () => Date;
  /** LoadBlocks calls in flight across all workers of one run; default 8. */
  loadConcurrency?: number;
  /** LoadBlocks calls in flight to one worker; default 2. */
  perWorkerConcurrency?: number;
  /** Blocks per LoadBlocks call; default 8. */
  batchBlocks?: number;
  /** Minimum interval between status writes to the journal during a run; default 1000 ms. */
  progressPersistMs?: number;
  /**
   * For this long after start(), a run that finds no live workers waits for one instead of
   * failing: a restarted master knows no workers until their next heartbeat re-registers them,
   * and the interrupted Once load it reruns at once would otherwise fail for good. Default 0.
   */
  startupWorkerWaitMs?: number;
}

const DEFAULT_LOAD_CONCURRENCY = 8;
const DEFAULT_PER_WORKER_CONCURRENCY = 2;
const DEFAULT_BATCH_BLOCKS = 8;
const DEFAULT_PROGRESS_PERSIST_MS = 1000;
const MAX_RUNS = 10;
/** setTimeout overflows past 2^31-1 ms; longer waits re-arm in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const REASON_RESTARTED = 'MasterRestarted';

interface NormalisedSpec {
  dataset: string;
  policy: 'Once' | 'Cron';
  schedule?: CronSchedule;
  scheduleText?: string;
  loadMetadata: boolean;
  targets: Array<{ path: string; replicas: number }>;
  ttlSecondsAfterFinished?: number;
}

interface ActiveRun {
  abort: AbortController;
  record: DataLoadRun;
  startMs: number;
  done: Promise<void>;
}

interface Entry {
  name: string;
  spec: NormalisedSpec;
  /** JSON of the normalised spec: an apply with the same spec changes nothing. */
  specKey: string;
  status: DataLoadStatus;
  cronTimer?: NodeJS.Timeout;
  ttlTimer?: NodeJS.Timeout;
  run?: ActiveRun;
  /** A Once whose spec changed during a run runs again when the run ends. */
  rerun: boolean;
  deleted: boolean;
  persistChain: Promise<void>;
  lastPersistMs: number;
}

/** What went wrong in a run, in the order found; the first names the condition's reason. */
interface RunProblem {
  reason: string;
  message: string;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function positiveInt(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new ValidationError(`${field} must be a positive integer, got ${value}`, field);
  return value;
}

/** Validate and default a DataLoad once, at the edge. */
function normaliseSpec(dl: DataLoadManifest): NormalisedSpec {
  const spec = dl.spec;
  const dataset = spec.dataset.name;
  if (typeof dataset !== 'string' || dataset === '') throw new ValidationError('spec.dataset.name must be a non-empty string', 'spec.dataset.name');
  const policy = spec.policy ?? 'Once';
  if (policy !== 'Once' && policy !== 'Cron') throw new ValidationError(`spec.policy must be Once or Cron, got ${JSON.stringify(policy)}`, 'spec.policy');
  let schedule: CronSchedule | undefined;
  if (policy === 'Cron') {
    if (spec.schedule === undefined || spec.schedule === '') throw new ValidationError('spec.schedule is required when spec.policy is Cron', 'spec.schedule');
    schedule = parseSchedule(spec.schedule);
  }
  const rawTargets = spec.target === undefined || spec.target.length === 0 ? [{ path: '/', replicas: 1 }] : spec.target;
  const targets = rawTargets.map((t, i) => {
    if (typeof t.path !== 'string' || !t.path.startsWith('/')) throw new ValidationError(`spec.target[${i}].path must be an absolute path, got ${JSON.stringify(t.path)}`, `spec.target[${i}].path`);
    return { path: t.path, replicas: positiveInt(t.replicas, 1, `spec.target[${i}].replicas`) };
  });
  const ttl = spec.ttlSecondsAfterFinished;
  if (ttl !== undefined && (!Number.isSafeInteger(ttl) || ttl < 0)) {
    throw new ValidationError(`spec.ttlSecondsAfterFinished must be a non-negative integer, got ${ttl}`, 'spec.ttlSecondsAfterFinished');
  }
  return {
    dataset,
    policy,
    ...(schedule !== undefined ? { schedule, scheduleText: schedule.expression } : {}),
    loadMetadata: spec.loadMetadata === true,
    targets,
    ...(ttl !== undefined ? { ttlSecondsAfterFinished: ttl } : {}),
  };
}

function specKeyOf(spec: NormalisedSpec): string {
  return JSON.stringify({ ...spec, schedule: spec.scheduleText });
}

/** Accept a persisted status only if it has the shape we wrote; anything else starts fresh. */
function restoreStatus(value: unknown): DataLoadStatus | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<DataLoadStatus>;
  const phases: DataLoadPhase[] = ['Pending', 'Executing', 'Complete', 'Failed'];
  if (typeof v.phase !== 'string' || !phases.includes(v.phase) || !Array.isArray(v.runs)) return undefined;
  return { ...emptyDataLoadStatus(), ...v } as DataLoadStatus;
}

export class DataLoadController {
  private readonly ctx: DataLoadContext;
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly loadConcurrency: number;
  private readonly perWorkerConcurrency: number;
  private readonly batchBlocks: number;
  private readonly progressPersistMs: number;
  private readonly entries = new Map<string, Entry>();
  /** Applies in progress per name, so two applies of one DataLoad do not race on the journal. */
  private readonly applying = new Map<string, Promise<void>>();
  private started = false;
  private startedAtMs = 0;
  private readonly startupWorkerWaitMs: number;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(ctx: DataLoadContext, logger: Logger, options: DataLoadControllerOptions = {}) {
    this.ctx = ctx;
    this.log = logger;
    this.now = options.now ?? (() => new Date());
    this.loadConcurrency = positiveInt(options.loadConcurrency, DEFAULT_LOAD_CONCURRENCY, 'loadConcurrency');
    this.perWorkerConcurrency = positiveInt(options.perWorkerConcurrency, DEFAULT_PER_WORKER_CONCURRENCY, 'perWorkerConcurrency');
    this.batchBlocks = positiveInt(options.batchBlocks, DEFAULT_BATCH_BLOCKS, 'batchBlocks');
    const persistMs = options.progressPersistMs ?? DEFAULT_PROGRESS_PERSIST_MS;
    if (!Number.isFinite(persistMs) || persistMs < 0) throw new ValidationError(`progressPersistMs must be a non-negative number, got ${persistMs}`, 'progressPersistMs');
    this.progressPersistMs = persistMs;
    this.startupWorkerWaitMs = Math.max(0, options.startupWorkerWaitMs ?? 0);
  }

  /**
   * Start scheduling. DataLoads applied before start() are armed now; later applies are armed
   * as they come. (The master typically calls onApply for every journaled DataLoad, then start.)
   */
  start(): void {
    if (this.closed || this.started) return;
    this.started = true;
    this.startedAtMs = Date.now();
    for (const entry of this.entries.values()) this.arm(entry, true);
  }

  /**
   * Create or update a DataLoad. Validates the spec (ValidationError naming the field). On first
   * sight the persisted status is read back: a status left Executing by a master that stopped
   * mid-run is marked Failed ("master restarted during run"); a Cron load then runs at its next
   * tick and a Once load runs again. Resolves once the DataLoad is armed (a Once run is started,
   * not awaited).
   */
  async onApply(dataload: DataLoadManifest): Promise<void> {
    if (this.closed) throw new ValidationError('the DataLoad controller is closed', 'dataload');
    const name = dataload.metadata.name;
    if (typeof name !== 'string' || name === '') throw new ValidationError('metadata.name must be a non-empty string', 'metadata.name');
    const spec = normaliseSpec(dataload);
    const previous = this.applying.get(name) ?? Promise.resolve();
    const next = previous.then(() => this.apply(name, spec));
    const tracked = next.catch(() => undefined);
    this.applying.set(name, tracked);
    try {
      await next;
    } finally {
      if (this.applying.get(name) === tracked) this.applying.delete(name);
    }
  }

  private async apply(name: string, spec: NormalisedSpec): Promise<void> {
    if (this.closed) return;
    const key = specKeyOf(spec);
    const existing = this.entries.get(name);
    if (existing !== undefined) {
      if (existing.specKey === key) return;
      this.log.info({ dataload: name }, 'DataLoad spec changed');
      existing.spec = spec;
      existing.specKey = key;
      this.disarm(existing);
      if (existing.run !== undefined && spec.policy === 'Once') {
        existing.rerun = true;
        return;
      }
      // A changed Once loads again; a changed Cron keeps its status and follows the new schedule.
      if (this.started) {
        if (spec.policy === 'Once') this.startRun(existing);
        else this.arm(existing, false);
      }
      return;
    }
    const persisted = restoreStatus(await this.ctx.journalGet(dataLoadJournalKey(name)));
    if (this.closed || this.entries.has(name)) return;
    const entry: Entry = {
      name,
      spec,
      specKey: key,
      status: persisted ?? emptyDataLoadStatus(),
      rerun: false,
      deleted: false,
      persistChain: Promise.resolve(),
      lastPersistMs: 0,
    };
    this.entries.set(name, entry);
    if (entry.status.phase === 'Executing') {
      this.log.warn({ dataload: name }, 'DataLoad was executing when the master stopped; marking it Failed');
      const at = this.now();
      const last = entry.status.runs.at(-1);
      if (last !== undefined && last.end === undefined) {
        last.end = at.toISOString();
        last.phase = 'Failed';
        last.message = 'master restarted during run';
      }
      this.setCondition(entry, 'Failed', REASON_RESTARTED, 'master restarted during run', at);
      entry.status.phase = 'Failed';
      await this.persist(entry);
    }
    if (this.started) this.arm(entry, true);
  }

  /** Forget a DataLoad: cancel its timers, abort a run in flight and drop its persisted status. */
  async onDelete(name: string): Promise<void> {
    await this.applying.get(name);
    const entry = this.entries.get(name);
    if (entry === undefined) return;
    this.entries.delete(name);
    entry.deleted = true;
    this.disarm(entry);
    entry.run?.abort.abort(new Error(`DataLoad ${name} was deleted`));
    await entry.run?.done;
    await entry.persistChain;
    if (!this.closed) await this.ctx.journalDelete(dataLoadJournalKey(name));
    this.log.info({ dataload: name }, 'DataLoad deleted');
  }

  /** The current status (a copy), or undefined if the DataLoad is unknown. */
  statusOf(name: string): DataLoadStatus | undefined {
    const entry = this.entries.get(name);
    if (entry === undefined) return undefined;
    this.refreshDuration(entry);
    return structuredClone(entry.status);
  }

  /** Names of the DataLoads the controller runs. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * Stop: cancel timers and abort runs in flight, then wait for them. An aborted run's status
   * is left as last persisted (Executing), so the next start marks it Failed and retries.
   */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.closed = true;
    const entries = [...this.entries.values()];
    for (const entry of entries) {
      this.disarm(entry);
      entry.run?.abort.abort(new Error('the DataLoad controller is closing'));
    }
    await Promise.all(entries.map(async (entry) => {
      await entry.run?.done;
      await entry.persistChain;
    }));
  }

  // ---- scheduling ----

  private disarm(entry: Entry): void {
    if (entry.cronTimer !== undefined) clearTimeout(entry.cronTimer);
    if (entry.ttlTimer !== undefined) clearTimeout(entry.ttlTimer);
    entry.cronTimer = undefined;
    entry.ttlTimer = undefined;
  }

  /** Arm a DataLoad: Cron → next tick; Once → run now if it has not finished (or `force`). */
  private arm(entry: Entry, onceRunsIfUnfinished: boolean): void {
    if (this.closed || entry.deleted) return;
    if (entry.spec.policy === 'Cron') {
      this.scheduleNext(entry, this.now());
      return;
    }
    const unfinished = entry.status.phase === 'Pending' || entry.status.conditions[0]?.reason === REASON_RESTARTED;
    if (onceRunsIfUnfinished && (unfinished || entry.status.runs.length === 0)) {
      this.startRun(entry);
    } else if (entry.run === undefined && (entry.status.phase === 'Complete' || entry.status.phase === 'Failed')) {
      this.armTtl(entry);
    }
  }

  private scheduleNext(entry: Entry, after: Date): void {
    const schedule = entry.spec.schedule;
    if (schedule === undefined || this.closed || entry.deleted) return;
    const next = schedule.nextRun(after);
    if (next === null) {
      this.log.warn({ dataload: entry.name }, 'schedule has no further fire time');
      return;
    }
    this.armTimerFor(entry, next);
  }

  private armTimerFor(entry: Entry, fireAt: Date): void {
    const delay = Math.max(0, fireAt.getTime() - Date.now());
    const timer = setTimeout(() => {
      entry.cronTimer = undefined;
      if (delay > MAX_TIMER_MS) {
        this.armTimerFor(entry, fireAt);
        return;
      }
      this.tick(entry, fireAt);
    }, Math.min(delay, MAX_TIMER_MS));
    entry.cronTimer = timer;
  }

  private tick(entry: Entry, fireAt: Date): void {
    if (this.closed || entry.deleted) return;
    // Next fire time after both the planned time and now: a late timer must not fire twice.
    const nowMs = Date.now();
    this.scheduleNext(entry, new Date(Math.max(fireAt.getTime(), nowMs)));
    if (entry.run !== undefined) {
      entry.status.skippedTicks += 1;
      entry.run.record.skippedTicks += 1;
      this.log.info({ dataload: entry.name, tick: fireAt.toISOString() }, 'tick skipped: the previous run is still executing');
      void this.persist(entry);
      return;
    }
    this.startRun(entry);
  }

  private armTtl(entry: Entry): void {
    const ttl = entry.spec.ttlSecondsAfterFinished;
    if (ttl === undefined || entry.spec.policy !== 'Once' || this.closed || entry.deleted) return;
    const end = entry.status.runs.at(-1)?.end;
    const endMs = end !== undefined ? Date.parse(end) : this.now().getTime();
    const delay = Math.max(0, Math.min(endMs + ttl * 1000 - this.now().getTime(), MAX_TIMER_MS));
    if (entry.ttlTimer !== undefined) clearTimeout(entry.ttlTimer);
    entry.ttlTimer = setTimeout(() => {
      entry.ttlTimer = undefined;
      if (this.closed || entry.deleted) return;
      this.log.info({ dataload: entry.name, ttlSecondsAfterFinished: ttl }, 'DataLoad expired after finishing');
      const expire = this.ctx.expire !== undefined ? this.ctx.expire(entry.name) : this.onDelete(entry.name);
      expire.catch((err: unknown) => this.log.error({ dataload: entry.name, err: errorMessage(err) }, 'could not delete expired DataLoad'));
    }, delay);
  }

  // ---- runs ----

  private startRun(entry: Entry): void {
    if (this.closed || entry.deleted || entry.run !== undefined) return;
    if (entry.ttlTimer !== undefined) clearTimeout(entry.ttlTimer);
    entry.ttlTimer = undefined;
    const startedAt = this.now();
    const record: DataLoadRun = { start: startedAt.toISOString(), phase: 'Executing', bytes: 0, skippedTicks: 0 };
    const status = entry.status;
    status.phase = 'Executing';
    status.lastScheduleTime = record.start;
    status.progress = { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, bytesFetched: 0 };
    status.failedFiles = [];
    status.duration = formatDuration(0);
    status.durationMs = 0;
    status.runs.push(record);
    if (status.runs.length > MAX_RUNS) status.runs.splice(0, status.runs.length - MAX_RUNS);
    const abort = new AbortController();
    const run: ActiveRun = { abort, record, startMs: startedAt.getTime(), done: Promise.resolve() };
    entry.run = run;
    this.log.info({ dataload: entry.name, dataset: entry.spec.dataset }, 'DataLoad run started');
    void this.persist(entry);
    // Progress is also persisted while a long batch is in flight, so a watcher (or a restarted
    // master reading the journal) sees the run alive and its duration growing.
    const heartbeat = setInterval(() => {
      if (entry.run === run && !run.abort.signal.aborted) void this.persist(entry);
    }, Math.max(this.progressPersistMs, 100));
    heartbeat.unref();
    run.done = this.execute(entry, run)
      .then((problems) => this.finishRun(entry, run, problems))
      .catch((err: unknown) => {
        // execute reports expected failures as problems; reaching here is a bug or a journal error.
        this.log.error({ dataload: entry.name, err: errorMessage(err) }, 'DataLoad run crashed');
        if (entry.run === run) return this.finishRun(entry, run, [{ reason: 'InternalError', message: errorMessage(err) }]);
        return undefined;
      })
      .catch((err: unknown) => {
        this.log.error({ dataload: entry.name, err: errorMessage(err) }, 'could not record the end of a DataLoad run');
      })
      .finally(() => {
        clearInterval(heartbeat);
        if (entry.run === run) entry.run = undefined;
        if (entry.rerun && !this.closed && !entry.deleted) {
          entry.rerun = false;
          this.startRun(entry);
        }
      });
  }

  private async finishRun(entry: Entry, run: ActiveRun, problems: RunProblem[]): Promise<void> {
    if (run.abort.signal.aborted) {
      // Closing or deleted: leave the persisted status alone (a restart marks it Failed).
      entry.run = undefined;
      return;
    }
    const end = this.now();
    const status = entry.status;
    const phase: DataLoadPhase = problems.length === 0 ? 'Complete' : 'Failed';
    const ms = Math.max(0, end.getTime() - run.startMs);
    status.phase = phase;
    status.durationMs = ms;
    status.duration = formatDuration(ms);
    run.record.end = end.toISOString();
    run.record.phase = phase;
    run.record.bytes = status.progress.bytesFetched;
    if (phase === 'Complete') {
      status.lastSuccessfulTime = run.record.end;
      const p = status.progress;
      this.setCondition(entry, 'Complete', 'DataLoadComplete', `loaded ${p.filesDone} file(s), ${p.bytesDone} bytes (${p.bytesFetched} fetched from the UFS)`, end);
    } else {
      const first = problems[0] as RunProblem;
      const message = problems.map((p) => p.message).join('; ');
      run.record.message = message;
      this.setCondition(entry, 'Failed', first.reason, message, end);
    }
    entry.run = undefined;
    this.log.info({ dataload: entry.name, phase, durationMs: ms, bytesFetched: status.progress.bytesFetched, problems: problems.map((p) => p.message) }, 'DataLoad run finished');
    await this.persist(entry);
    if (entry.spec.policy === 'Once' && !entry.rerun) this.armTtl(entry);
  }

  private setCondition(entry: Entry, type: DataLoadCondition['type'], reason: string, message: string, at: Date): void {
    const prev = entry.status.conditions[0];
    const iso = at.toISOString();
    entry.status.conditions = [{
      type,
      status: 'True',
      reason,
      message,
      lastProbeTime: iso,
      lastTransitionTime: prev !== undefined && prev.type === type ? prev.lastTransitionTime : iso,
    }];
  }

  /** One run. Returns what went wrong (empty = Complete); throws only on bugs. */
  private async execute(entry: Entry, run: ActiveRun): Promise<RunProblem[]> {
    const { signal } = run.abort;
    const spec = entry.spec;
    const dataset = spec.dataset;
    const status = entry.status;
    const problems: RunProblem[] = [];

    // Every run syncs metadata first, `loadMetadata` or not: a scheduled load exists to pull in
    // changed objects (the seed's plain dataload.yaml picks up an appended line on the next tick),
    // and loading from a stale listing would cache versions that no longer exist.
    {
      try {
        await this.ctx.refresh(dataset, { signal });
      } catch (err) {
        if (signal.aborted) return problems;
        return [{ reason: 'MetadataSyncFailed', message: `refreshing the metadata of dataset ${dataset} failed: ${errorMessage(err)}` }];
      }
    }
    let runtime: string;
    let blockSize: number;
    try {
      runtime = this.ctx.runtimeOf(dataset);
      blockSize = this.ctx.blockSize(dataset);
    } catch (err) {
      return [{ reason: 'RuntimeNotFound', message: `dataset ${dataset} has no runtime: ${errorMessage(err)}` }];
    }

    // Target files, deduplicated: a file under two targets wants the larger replica count.
    const files = new Map<string, { file: DataLoadFile; replicas: number }>();
    const failedFiles: DataLoadFailedFile[] = [];
    for (const target of spec.targets) {
      let listed: DataLoadFile[];
      try {
        listed = await this.ctx.listFiles(dataset, target.path);
      } catch (err) {
        if (signal.aborted) return problems;
        const message = err instanceof NotFoundError ? `not found in dataset ${dataset}` : errorMessage(err);
        failedFiles.push({ path: target.path, message });
        continue;
      }
      for (const file of listed) {
        const seen = files.get(file.path);
        if (seen === undefined || seen.replicas < target.replicas) files.set(file.path, { file, replicas: target.replicas });
      }
    }
    const progress = status.progress;
    progress.filesTotal = files.size;
    progress.bytesTotal = [...files.values()].reduce((sum, f) => sum + f.file.size, 0);
    status.failedFiles = failedFiles;

    let live = this.ctx.liveWorkers(runtime);
    while (files.size > 0 && live.length === 0 && Date.now() < this.startedAtMs + this.startupWorkerWaitMs && !signal.aborted) {
      await new Promise((r) => setTimeout(r, 100));
      live = this.ctx.liveWorkers(runtime);
    }
    if (signal.aborted) return problems;
    const liveIds = new Set(live.map((w) => w.workerId));
    const wantedMax = [...files.values()].reduce((max, f) => Math.max(max, f.replicas), 0);
    if (files.size > 0 && live.length === 0) {
      problems.push({ reason: 'NotEnoughWorkers', message: `runtime ${runtime} has no live workers; nothing was loaded` });
      this.finishFailedFiles(entry, problems);
      return problems;
    }
    if (wantedMax > live.length) {
      problems.push({
        reason: 'NotEnoughWorkers',
        message: `${wantedMax} replicas wanted but runtime ${runtime} has ${live.length} live worker(s); loaded ${live.length} replica(s) of each block`,
      });
    }

    // Plan: for each block, the live holders it lacks, in consistent-hash order.
    interface FileState { path: string; blocksLeft: number; failed?: string }
    interface BlockState { file: FileState; length: number; pending: number; failed: boolean }
    const blocks = new Map<string, BlockState>();
    const perWorker = new Map<string, proto.BlockRef[]>();
    const fileDone = (fs: FileState): void => {
      if (fs.blocksLeft === 0 && fs.failed === undefined) progress.filesDone += 1;
    };
    for (const { file, replicas } of files.values()) {
      const n = blockCount(file.size, blockSize);
      const fs: FileState = { path: file.path, blocksLeft: n };
      if (n === 0) fileDone(fs);
      const want = Math.min(replicas, live.length);
      for (let index = 0; index < n; index++) {
        const key = blockKey(dataset, file.path, file.version, index, blockSize);
        const length = blockLength(file.size, blockSize, index);
        const held = new Set(this.ctx.holders(key).filter((w) => liveIds.has(w)));
        const need = want - held.size;
        if (need <= 0) {
          progress.bytesDone += length;
          fs.blocksLeft -= 1;
          continue;
        }
        const chosen: string[] = [];
        for (const w of [...this.ctx.preferredWorkers(key, runtime, live.length), ...liveIds]) {
          if (chosen.length >= need) break;
          if (liveIds.has(w) && !held.has(w) && !chosen.includes(w)) chosen.push(w);
        }
        blocks.set(key, { file: fs, length, pending: chosen.length, failed: false });
        const ref: proto.BlockRef = { key, dataset, path: file.path, version: file.version, index, blockSize, fileSize: file.size };
        for (const w of chosen) {
          let list = perWorker.get(w);
          if (list === undefined) perWorker.set(w, (list = []));
          list.push(ref);
        }
      }
      if (n > 0 && fs.blocksLeft === 0) fileDone(fs);
    }
    this.onProgress(entry);

    const failBlock = (key: string, message: string): void => {
      const b = blocks.get(key);
      if (b === undefined || b.failed) return;
      b.failed = true;
      if (b.file.failed === undefined) {
        b.file.failed = message;
        failedFiles.push({ path: b.file.path, message });
      }
    };
    const okBlock = (key: string): void => {
      const b = blocks.get(key);
      if (b === undefined || b.failed) return;
      b.pending -= 1;
      if (b.pending > 0) return;
      progress.bytesDone += b.length;
      b.file.blocksLeft -= 1;
      fileDone(b.file);
    };

    // Fetch: batches per worker, interleaved across workers, bounded overall and per worker.
    const total = pLimit(this.loadConcurrency);
    const workerLimits = new Map<string, ReturnType<typeof pLimit>>();
    const tasks: Array<Promise<void>> = [];
    const queues = [...perWorker.entries()].map(([w, refs]) => {
      const batches: proto.BlockRef[][] = [];
      for (let i = 0; i < refs.length; i += this.batchBlocks) batches.push(refs.slice(i, i + this.batchBlocks));
      workerLimits.set(w, pLimit(this.perWorkerConcurrency));
      return { workerId: w, batches };
    });
    for (let round = 0; queues.some((q) => q.batches.length > round); round++) {
      for (const q of queues) {
        const batch = q.batches[round];
        if (batch === undefined) continue;
        const workerLimit = workerLimits.get(q.workerId) as ReturnType<typeof pLimit>;
        tasks.push(workerLimit(() => total(async () => {
          if (signal.aborted) return;
          try {
            const results = await this.ctx.loadBlocks(q.workerId, batch, { signal });
            const byKey = new Map(results.map((r) => [r.key, r]));
            for (const ref of batch) {
              const r = byKey.get(ref.key as string);
              if (r === undefined) {
                failBlock(ref.key as string, `worker ${q.workerId} returned no result for block ${ref.index}`);
              } else if (r.ok) {
                progress.bytesFetched += r.bytesFetched;
                okBlock(r.key);
              } else {
                failBlock(r.key, `${r.errorCode !== '' ? `${r.errorCode}: ` : ''}${r.errorMessage}`);
              }
            }
          } catch (err) {
            if (signal.aborted) return;
            for (const ref of batch) failBlock(ref.key as string, `worker ${q.workerId}: ${errorMessage(err)}`);
          }
          this.onProgress(entry);
        })));
      }
    }
    await Promise.all(tasks);
    if (signal.aborted) return problems;

    // Free blocks of versions that no longer exist, so CACHED never counts an old copy.
    await this.freeStale(entry, dataset, signal);
    if (signal.aborted) return problems;

    this.finishFailedFiles(entry, problems);
    return problems;
  }

  /** Turn failed files into the run's leading problem (objects are what the user acts on). */
  private finishFailedFiles(entry: Entry, problems: RunProblem[]): void {
    const failed = entry.status.failedFiles;
    if (failed.length === 0) return;
    const shown = failed.slice(0, 5).map((f) => `${f.path} (${f.message})`).join(', ');
    const more = failed.length > 5 ? ` and ${failed.length - 5} more` : '';
    problems.unshift({ reason: 'ObjectsFailed', message: `${failed.length} object(s) could not be loaded: ${shown}${more}` });
  }

  private async freeStale(entry: Entry, dataset: string, signal: AbortSignal): Promise<void> {
    let stale;
    try {
      stale = this.ctx.staleBlocks(dataset);
    } catch (err) {
      this.log.warn({ dataload: entry.name, err: errorMessage(err) }, 'could not list stale blocks');
      return;
    }
    const byWorker = new Map<string, string[]>();
    for (const b of stale) {
      for (const w of b.workerIds) {
        let keys = byWorker.get(w);
        if (keys === undefined) byWorker.set(w, (keys = []));
        keys.push(b.key);
      }
    }
    await Promise.all([...byWorker.entries()].map(async ([w, keys]) => {
      try {
        const freed = await this.ctx.freeBlocks(w, keys, { signal });
        this.log.info({ dataload: entry.name, worker: w, freed }, 'freed blocks of replaced versions');
      } catch (err) {
        // Not a load failure: the next run (or the worker's eviction) retries.
        if (!signal.aborted) this.log.warn({ dataload: entry.name, worker: w, err: errorMessage(err) }, 'could not free stale blocks');
      }
    }));
  }

  // ---- status ----

  private refreshDuration(entry: Entry): void {
    const run = entry.run;
    if (run === undefined) return;
    const ms = Math.max(0, this.now().getTime() - run.startMs);
    entry.status.durationMs = ms;
    entry.status.duration = formatDuration(ms);
  }

  /** Progress during a run: tell the master, and persist at most every progressPersistMs. */
  private onProgress(entry: Entry): void {
    this.refreshDuration(entry);
    this.notify(entry);
    if (Date.now() - entry.lastPersistMs >= this.progressPersistMs) void this.persist(entry);
  }

  private notify(entry: Entry): void {
    try {
      this.ctx.onProgress?.(entry.name);
    } catch (err) {
      this.log.warn({ dataload: entry.name, err: errorMessage(err) }, 'onProgress listener threw');
    }
  }

  /** Write the status to the journal; writes of one DataLoad are serialised, newest last. */
  private persist(entry: Entry): Promise<void> {
    if (this.closed || entry.deleted) return entry.persistChain;
    this.refreshDuration(entry);
    entry.lastPersistMs = Date.now();
    const snapshot = structuredClone(entry.status);
    this.notify(entry);
    entry.persistChain = entry.persistChain
      .then(() => (entry.deleted ? undefined : this.ctx.journalPut(dataLoadJournalKey(entry.name), snapshot)))
      .catch((err: unknown) => {
        this.log.error({ dataload: entry.name, err: errorMessage(err) }, 'could not persist DataLoad status');
      });
    return entry.persistChain;
  }
}

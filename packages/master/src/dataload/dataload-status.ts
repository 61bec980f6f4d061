// The status of a DataLoad as the controller computes, persists and reports it (`eddy get
// dataload -o yaml`, `eddy describe dataload`), and the transitions a run makes to it. Field
// names follow Fluid's DataLoad status where Fluid has one (phase, duration, conditions,
// lastScheduleTime, lastSuccessfulTime). Pure: the caller passes the clock's reading.
import { formatDuration } from '@eddy/core';
import type { DataLoadConditionView, DataLoadFailedFileView, DataLoadProgressView, DataLoadRunView, DataLoadStatusView } from '@eddy/protocol';

export type DataLoadPhase = 'Pending' | 'Executing' | 'Complete' | 'Failed';

// The fields (and their wire mapping) live in @eddy/protocol's status views; the master narrows
// the enum-like ones to what it writes.
export interface DataLoadCondition extends DataLoadConditionView {
  type: 'Complete' | 'Failed';
  status: 'True';
}

export type DataLoadProgress = DataLoadProgressView;
export type DataLoadFailedFile = DataLoadFailedFileView;

export interface DataLoadRun extends DataLoadRunView {
  phase: DataLoadPhase;
}

export interface DataLoadStatus extends DataLoadStatusView {
  phase: DataLoadPhase;
  conditions: DataLoadCondition[];
  runs: DataLoadRun[];
}

/** Journal key of a DataLoad's status. */
export function dataLoadJournalKey(name: string): string {
  return `dataload/${name}/status`;
}

export function emptyDataLoadStatus(): DataLoadStatus {
  return {
    phase: 'Pending',
    duration: '',
    durationMs: 0,
    conditions: [],
    progress: { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, bytesFetched: 0 },
    failedFiles: [],
    runs: [],
    skippedTicks: 0,
  };
}

/** Runs kept in the status, oldest dropped first. */
export const MAX_RUNS = 10;
/** Condition reason of a run that a master restart interrupted. */
export const REASON_RESTARTED = 'MasterRestarted';

/** What went wrong in a run, in the order found; the first names the condition's reason. */
export interface RunProblem {
  reason: string;
  message: string;
}

/** Accepts a persisted status only if it has the shape we wrote; anything else starts fresh. */
export function restoreDataLoadStatus(value: unknown): DataLoadStatus | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<DataLoadStatus>;
  const phases: DataLoadPhase[] = ['Pending', 'Executing', 'Complete', 'Failed'];
  if (typeof v.phase !== 'string' || !phases.includes(v.phase) || !Array.isArray(v.runs)) return undefined;
  return { ...emptyDataLoadStatus(), ...v } as DataLoadStatus;
}

/** Whether a Once load still has to run: never ran, or a restart interrupted it. */
export function isUnfinished(status: DataLoadStatus): boolean {
  return status.phase === 'Pending' || status.runs.length === 0 || status.conditions[0]?.reason === REASON_RESTARTED;
}

export function setCondition(status: DataLoadStatus, type: DataLoadCondition['type'], reason: string, message: string, at: Date): void {
  const prev = status.conditions[0];
  const iso = at.toISOString();
  status.conditions = [{
    type,
    status: 'True',
    reason,
    message,
    lastProbeTime: iso,
    lastTransitionTime: prev !== undefined && prev.type === type ? prev.lastTransitionTime : iso,
  }];
}

export function setElapsed(status: DataLoadStatus, ms: number): void {
  status.durationMs = ms;
  status.duration = formatDuration(ms);
}

/** A run starts: Executing, fresh progress, a new run record (the last MAX_RUNS kept). */
export function beginRun(status: DataLoadStatus, at: Date): DataLoadRun {
  const record: DataLoadRun = { start: at.toISOString(), phase: 'Executing', bytes: 0, skippedTicks: 0 };
  status.phase = 'Executing';
  status.lastScheduleTime = record.start;
  status.progress = { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, bytesFetched: 0 };
  status.failedFiles = [];
  setElapsed(status, 0);
  status.runs.push(record);
  if (status.runs.length > MAX_RUNS) status.runs.splice(0, status.runs.length - MAX_RUNS);
  return record;
}

/** A tick fired while `run` was executing: counted on the status and on the run. */
export function recordSkippedTick(status: DataLoadStatus, run: DataLoadRun): void {
  status.skippedTicks += 1;
  run.skippedTicks += 1;
}

/** A run ends: Complete without problems, else Failed with the first problem's reason. */
export function endRun(status: DataLoadStatus, run: DataLoadRun, problems: RunProblem[], elapsedMs: number, at: Date): DataLoadPhase {
  const phase: DataLoadPhase = problems.length === 0 ? 'Complete' : 'Failed';
  status.phase = phase;
  setElapsed(status, elapsedMs);
  run.end = at.toISOString();
  run.phase = phase;
  run.bytes = status.progress.bytesFetched;
  const first = problems[0];
  if (first === undefined) {
    status.lastSuccessfulTime = run.end;
    const p = status.progress;
    const message = `loaded ${p.filesDone} file(s), ${p.bytesDone} bytes (${p.bytesFetched} fetched from the UFS)`;
    setCondition(status, 'Complete', 'DataLoadComplete', message, at);
  } else {
    const message = problems.map((p) => p.message).join('; ');
    run.message = message;
    setCondition(status, 'Failed', first.reason, message, at);
  }
  return phase;
}

/** A status found Executing after a restart: the run it describes ended with the master. */
export function markInterrupted(status: DataLoadStatus, at: Date): void {
  const message = 'master restarted during run';
  const last = status.runs.at(-1);
  if (last !== undefined && last.end === undefined) {
    last.end = at.toISOString();
    last.phase = 'Failed';
    last.message = message;
  }
  setCondition(status, 'Failed', REASON_RESTARTED, message, at);
  status.phase = 'Failed';
}

/** Failed files as the run's leading problem (objects are what the user acts on). */
export function failedFilesProblem(failed: DataLoadFailedFile[]): RunProblem | undefined {
  if (failed.length === 0) return undefined;
  const shown = failed.slice(0, 5).map((f) => `${f.path} (${f.message})`).join(', ');
  const more = failed.length > 5 ? ` and ${failed.length - 5} more` : '';
  return { reason: 'ObjectsFailed', message: `${failed.length} object(s) could not be loaded: ${shown}${more}` };
}

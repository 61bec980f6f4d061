// The status of a DataLoad as the controller computes, persists and reports it (`eddy get
// dataload -o yaml`, `eddy describe dataload`). Field names follow Fluid's DataLoad status
// where Fluid has one (phase, duration, conditions, lastScheduleTime, lastSuccessfulTime).

export type DataLoadPhase = 'Pending' | 'Executing' | 'Complete' | 'Failed';

export interface DataLoadCondition {
  type: 'Complete' | 'Failed';
  status: 'True';
  /** CamelCase reason, e.g. `DataLoadComplete`, `NotEnoughWorkers`, `ObjectsFailed`. */
  reason: string;
  message: string;
  /** ISO time the condition was last evaluated (end of the latest run). */
  lastProbeTime: string;
  /** ISO time the condition last changed type (e.g. Failed → Complete). */
  lastTransitionTime: string;
}

export interface DataLoadProgress {
  /** Files whose every block reached its replica count in this run. */
  filesDone: number;
  filesTotal: number;
  /** Bytes of blocks that reached their replica count (counted once per block). */
  bytesDone: number;
  /** Sum of the current sizes of the target files. */
  bytesTotal: number;
  /** Bytes the workers actually read from the UFS in this run (0 for a no-change delta run). */
  bytesFetched: number;
}

export interface DataLoadFailedFile {
  path: string;
  message: string;
}

export interface DataLoadRun {
  /** ISO start time. */
  start: string;
  /** ISO end time; absent while executing. */
  end?: string;
  phase: DataLoadPhase;
  /** Bytes fetched from the UFS. */
  bytes: number;
  /** Ticks skipped because this run was still executing. */
  skippedTicks: number;
  /** Failure reason, if any. */
  message?: string;
}

export interface DataLoadStatus {
  phase: DataLoadPhase;
  /** Duration of the latest run, e.g. `2m12s` (elapsed so far while executing; '' before any run). */
  duration: string;
  durationMs: number;
  conditions: DataLoadCondition[];
  /** ISO time the latest run was started (by a tick, or on apply for Once). */
  lastScheduleTime?: string;
  /** ISO time the latest run that ended Complete ended. */
  lastSuccessfulTime?: string;
  progress: DataLoadProgress;
  /** Objects of the latest run that could not be loaded, with why. */
  failedFiles: DataLoadFailedFile[];
  /** The last 10 runs, oldest first. */
  runs: DataLoadRun[];
  /** Total ticks skipped because a run was still executing (no overlap). */
  skippedTicks: number;
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

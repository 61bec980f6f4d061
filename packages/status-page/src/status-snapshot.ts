// What the status page shows, as the master hands it over: exact numbers (the page formats them),
// names as plain strings (the page only ever sets them as text, so no value can become markup).

export interface DatasetRow {
  name: string;
  phase: string;
  ufsTotalBytes: number;
  cachedBytes: number;
  cacheCapacityBytes: number;
  files: number;
  liveWorkers: number;
  desiredWorkers: number;
  /** Ratios in [0, 1] over `hitRatioWindowSeconds`; null before any read in the window. */
  cacheHitRatio: number | null;
  localHitRatio: number | null;
  remoteHitRatio: number | null;
  hitRatioWindowSeconds: number;
  /** ISO creation time, for AGE. */
  created: string | null;
}

export interface TierRow { medium: string; usedBytes: number; quotaBytes: number }

export interface WorkerRow {
  id: string;
  runtime: string;
  live: boolean;
  address: string;
  blocks: number;
  lastHeartbeatMs: number;
  tiers: TierRow[];
}

export interface DataLoadRow {
  name: string;
  dataset: string;
  phase: string;
  policy: string;
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** Epoch ms the latest run started (null before any run); with `bytesDone` it gives rate and ETA. */
  runStartMs: number | null;
  /** Epoch ms the latest run ended (null while executing). */
  runEndMs: number | null;
  lastSuccessfulTime: string | null;
}

export interface StatusSnapshot {
  /** Epoch ms on the master when the snapshot was taken. */
  generatedAtMs: number;
  datasets: DatasetRow[];
  workers: WorkerRow[];
  dataloads: DataLoadRow[];
}

// The public surface of @eddy/master: start a master, its options and defaults, and the types a
// caller of `MasterHandle.core` or a reader of DataLoad / Dataset status meets. Internals
// (namespace, placement, journal, the DataLoad scheduler's parts) are imported by path in tests.
export { startMaster, DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_MASTER_LISTEN, DEFAULT_WORKER_TIMEOUT_MS } from './start-master.js';
export type { MasterHandle } from './start-master.js';
export type { CredentialInput } from './auth/master-credentials.js';
export { MASTER_DEFAULTS, resolveMasterOptions } from './master-options.js';
export type { MasterOptions, ResolvedMasterOptions } from './master-options.js';
export type { MasterCore } from './master-core.js';
export type { DatasetPhase, DatasetStatus } from './status/dataset-status.js';
export type {
  DataLoadCondition, DataLoadFailedFile, DataLoadPhase, DataLoadProgress, DataLoadRun, DataLoadStatus,
} from './dataload/dataload-status.js';

// Test-only: the shared cluster fixture of the end-to-end tests and the bench's helpers.
export { CleanupStack } from './cleanup-stack.js';
export { writeClusterCredentials } from './cluster-credentials.js';
export type { ClusterCredentials, TokenFile } from './cluster-credentials.js';
export { EDDY_BIN, EddyProcess, REPO_ROOT, eventually, runEddy } from './eddy-process.js';
export type { EddyResult, SpawnOptions } from './eddy-process.js';
export { forceUnmount, isMounted } from './fuse-cleanup.js';
export {
  EddyCluster, HEARTBEAT_MS, KiB, MiB, READ_CHILD, WORKER_TIMEOUT_MS, dropPageCache, faultManifests, onceDataLoad, readInChild,
} from './eddy-cluster.js';
export type {
  EddyClusterOptions, ManifestOptions, ReadOptions, ReadResult, WorkerProc, WorkerSpec,
} from './eddy-cluster.js';
export { startProcCluster } from './file-cluster.js';
export type { ProcCluster, ProcClusterOptions } from './file-cluster.js';

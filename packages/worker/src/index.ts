// The worker's public surface: the process (startWorker, its options and defaults) and the
// components it is built from, for embedding, tests and benchmarks. Internals stay unexported.
export { startWorker, type WorkerHandle } from './process/start-worker.js';
export { resolveWorkerOptions, type StartWorkerOptions, type ResolvedWorkerOptions, type UfsFactory } from './process/worker-options.js';
export { WORKER_DEFAULTS, type WorkerDefaults } from './config/worker-defaults.js';
export { runtimeConfigFromSpec, type RuntimeConfig } from './process/runtime-config.js';

export { validateTiers, type TierConfig } from './store/tier-config.js';
export {
  BlockStore, type BlockStoreOptions, type BlockHandle, type BlockWriter, type EvictEvent, type TierSnapshot, type BlockSnapshotEntry,
} from './store/block-store.js';

export { validateBlockRef, type ValidBlockRef } from './blocks/block-ref.js';
export { BlockService, type BlockRead, type BlockCounters } from './blocks/block-service.js';

export { StaticMountResolver, MasterMountResolver, type MountResolver, type ResolvedMount, type DatasetMounts } from './read-through/mount-resolver.js';
export { UfsLocator, type UfsLocatorOptions, type UfsLocation } from './read-through/ufs-locator.js';
export { ReadThrough, type ReadThroughOptions } from './read-through/read-through.js';
export type { BlockFetch } from './read-through/block-fetch.js';

export { DataServer, type DataServerOptions, type RefusedConnections } from './data-server/data-server.js';
export { LimitExceededError } from './data-server/limit-exceeded-error.js';
export { createWorkerService, MAX_BLOCKS_PER_LOAD } from './rpc/worker-service.js';
export { MasterLink, type MasterLinkOptions, type MasterLinkClient } from './master-link/master-link.js';

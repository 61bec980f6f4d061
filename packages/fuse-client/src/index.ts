// @eddy/fuse-client's public surface: mounting a dataset, its options, and the stale-mount helpers.
export { mountDataset, type MountHandle } from './mount-dataset.js';
export {
  MOUNT_DEFAULTS, resolveMountOptions,
  type MountDatasetOptions, type MountTunables, type ReadaheadOptions, type ResolvedMountOptions,
} from './mount-options.js';
export type { DataChannel, DataChannelFactory, ReadStats } from './read-path/sources.js';
export type { DirReadAheadStats } from './read-path/dir-read-ahead.js';
export { ReadFailedError } from './read-path/read-failed-error.js';
export { libfuseOptionList } from './libfuse-options.js';
export { isStaleMount, recoverStaleMount, lazyUnmount } from './stale-mount.js';

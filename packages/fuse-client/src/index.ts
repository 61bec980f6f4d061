export * from './mount-dataset.js';
export { libfuseOptionList } from './libfuse-options.js';
export { isStaleMount, recoverStaleMount, lazyUnmount } from './stale-mount.js';
export { MetadataCache } from './metadata-cache.js';

export * from './store/tier-config.js';
export * from './store/block-store.js';
export * from './read-through/mount-resolver.js';
export * from './read-through/ufs-locator.js';
export * from './read-through/read-through.js';
export * from './blocks/block-ref.js';
export * from './blocks/block-service.js';
export * from './data-server/data-server.js';

export * from './errors.js';
export * from './logger.js';
export * from './block-math.js';
export * from './ufs/under-file-system.js';
export * from './rpc/index.js';
export type * as proto from './gen/eddy/v1/index-types.js';

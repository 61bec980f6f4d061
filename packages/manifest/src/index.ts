// The public surface of @eddy/manifest: what other packages use, nothing more.
export { parseSchedule } from './cron-schedule.js';
export { isCredentialOption } from './credential-option.js';
export type { CronSchedule } from './cron-schedule.js';
export { parseFuseArgs } from './fuse-options.js';
export type { AccessMode, FuseOptions } from './fuse-options.js';
export type { DataLoadManifest, DatasetManifest, Manifest, MediumType, RuntimeManifest, SecretManifest, TierLevel } from './manifest-types.js';
export { MEDIUM_TYPES } from './manifest-types.js';
export { DEFAULT_HIGH_WATERMARK, DEFAULT_LOW_WATERMARK } from './manifest-schema.js';
export { parseManifests } from './parse-manifests.js';
export { parseQuantity } from './quantity.js';
export { validateManifestSet } from './validate-manifest-set.js';

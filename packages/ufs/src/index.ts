// The public surface of @eddy/ufs: what other packages use, nothing more.
export { createUfs, type CreateUfsOptions } from './create-ufs.js';
export { checkUfsAllowed, type UfsAllowlist } from './ufs-allowlist.js';
export { MissingVersionError, UfsNotAllowedError } from './ufs-errors.js';
export { fileVersion } from './file-ufs.js';
export { resolveMountPath } from './resolve-mount-path.js';
export type { UfsListEntry, UfsMountConfig, UfsObjectInfo, UfsReadOptions, UfsSourceKind, UnderFileSystem } from './under-file-system.js';
export { EDDY_OPTIONS } from './eddy/eddy-mount-settings.js';

// The public surface of @eddy/core: what other packages use, nothing more.
export { blockCount, blockKey, blockLength, blockSlices, DEFAULT_BLOCK_SIZE } from './block-math.js';
export type { BlockSlice } from './block-math.js';
export { BufferPool } from './buffer-pool.js';
export { AbortedError, AccessDeniedError, PermissionDeniedError, CorruptBlockError, EddyError, errorFromCode, NoSpaceError, NotFoundError, ProtocolError, ReadOnlyError, TimeoutError, UnauthenticatedError, UnavailableError, UnreachableError, ValidationError, VersionMismatchError } from './errors.js';
export type { EddyErrorCode } from './errors.js';
export { formatAge } from './format/format-age.js';
export { formatBytes } from './format/format-bytes.js';
export { formatDuration } from './format/format-duration.js';
export { formatPercent } from './format/format-percent.js';
export { createLogger, silentLogger } from './logger.js';
export type { Logger } from './logger.js';
export { parseHostPort } from './parse-host-port.js';
export { retryWithBackoff } from './retry-with-backoff.js';
export type { RetryOptions } from './retry-with-backoff.js';

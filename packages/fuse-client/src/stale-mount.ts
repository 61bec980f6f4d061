// A FUSE process that died without unmounting leaves its mountpoint answering every call with
// ENOTCONN ("Transport endpoint is not connected"). A new mount there lazily unmounts the corpse
// first instead of failing.
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { UnavailableError, type Logger } from '@eddy/core';
import { MOUNT_DEFAULTS } from './mount-options.js';

export async function lazyUnmount(mountpoint: string, timeoutMs = MOUNT_DEFAULTS.timeoutMs): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    execFile('fusermount', ['-uz', mountpoint], { timeout: timeoutMs }, (err, _out, stderr) => {
      if (err) reject(new UnavailableError(`fusermount -uz ${mountpoint} failed: ${String(stderr).trim() || err.message}`));
      else resolve();
    });
  });
}

/** True when `mountpoint` is a dead FUSE mount (stat fails with ENOTCONN or ECONNABORTED). */
export async function isStaleMount(mountpoint: string): Promise<boolean> {
  try {
    await stat(mountpoint);
    return false;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOTCONN' || code === 'ECONNABORTED';
  }
}

/** Recovers a stale mount at `mountpoint`; returns whether it had to. */
export async function recoverStaleMount(mountpoint: string, logger: Logger, timeoutMs = MOUNT_DEFAULTS.timeoutMs): Promise<boolean> {
  if (!(await isStaleMount(mountpoint))) return false;
  logger.warn({ mountpoint }, 'mountpoint left broken by a previous FUSE process; lazily unmounting it');
  await lazyUnmount(mountpoint, timeoutMs);
  return true;
}

// `--allow-file-root DIR` and `--allow-endpoint HOST[:PORT]` (master and worker, repeatable):
// where a Dataset's mounts may point. Without them any directory the process can read and any
// endpoint is reachable through a Dataset, so the master and workers say so at startup.
import { resolve } from 'node:path';
import type { Logger } from '@eddy/core';
import type { UfsAllowlist } from '@eddy/ufs';

export interface UfsAllowFlags {
  allowFileRoot?: string[];
  allowEndpoint?: string[];
}

export function ufsAllowFromFlags(flags: UfsAllowFlags, logger: Logger): UfsAllowlist | undefined {
  const roots = (flags.allowFileRoot ?? []).map((d) => resolve(d));
  const endpoints = flags.allowEndpoint ?? [];
  if (roots.length === 0) {
    logger.warn('no --allow-file-root: a Dataset may mount any directory this process can read (file://); pass --allow-file-root DIR');
  }
  if (roots.length === 0 && endpoints.length === 0) return undefined;
  return { ...(roots.length > 0 ? { fileRoots: roots } : {}), ...(endpoints.length > 0 ? { endpoints } : {}) };
}

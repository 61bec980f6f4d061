// Builds an eddy:// mount: the upstream driver, wrapped with its fallback when fs.eddy.fallback
// names the bucket (whose driver options, e.g. fs.s3.*, sit in the same mount's options).
import type { Logger } from '@eddy/core';
import type { UfsMountConfig, UnderFileSystem } from '../under-file-system.js';
import { EddyUfs } from './eddy-ufs.js';
import { FailoverUfs } from './failover-ufs.js';

export function createEddyUfs(
  config: UfsMountConfig, options: { logger?: Logger }, createFallback: (config: UfsMountConfig) => UnderFileSystem,
): UnderFileSystem {
  const upstream = new EddyUfs(config, options);
  const url = upstream.settings.fallbackUrl;
  if (url === undefined) return upstream;
  let fallback: UnderFileSystem;
  try {
    fallback = createFallback({ url, options: config.options });
  } catch (err) {
    void upstream.close();
    throw err;
  }
  return new FailoverUfs(upstream, fallback, options);
}

// Picks the driver for a mount by its URL scheme. The one place mount configs become clients.
import { ValidationError } from '@eddy/core';
import type { Logger } from '@eddy/core';
import type { UfsMountConfig, UnderFileSystem } from './under-file-system.js';
import { FileUfs } from './file-ufs.js';
import { S3Ufs } from './s3-ufs.js';
import { OssUfs } from './oss-ufs.js';
import { createEddyUfs } from './eddy/create-eddy-ufs.js';
import type { UfsClientOptions } from './ufs-client-options.js';
import { checkUfsAllowed, type UfsAllowlist } from './ufs-allowlist.js';

export type CreateUfsOptions = UfsClientOptions & {
  logger?: Logger;
  cwd?: string;
  /** Where mounts may point (file roots, S3/OSS endpoints); see UfsAllowlist. Default: anywhere. */
  allow?: UfsAllowlist;
};

export const UFS_SCHEMES = ['s3', 'oss', 'file', 'eddy'] as const;

export function createUfs(config: UfsMountConfig, opts: CreateUfsOptions = {}): UnderFileSystem {
  const url = config.url;
  if (typeof url !== 'string' || url === '') {
    throw new ValidationError('url is missing: set the mount URL, e.g. s3://bucket/prefix, oss://bucket/prefix, file:///data or eddy://master:7070/dataset', 'url');
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (opts.allow) checkUfsAllowed(config, opts.allow, opts.cwd);
  switch (scheme) {
    case 's3': return new S3Ufs(config, opts);
    case 'oss': return new OssUfs(config, opts);
    case 'file': return FileUfs.fromUrl(url, opts);
    // Another Eddy cluster; its fallback (the bucket) is built here too, with the same options.
    case 'eddy': return createEddyUfs(config, opts, (fallback) => createUfs(fallback, opts));
    default:
      throw new ValidationError(
        `unsupported mount URL ${JSON.stringify(url.replace(/\/\/[^/@]*@/, '//***@'))}: the scheme must be one of ${UFS_SCHEMES.map((s) => `${s}://`).join(', ')}`,
        'url',
      );
  }
}

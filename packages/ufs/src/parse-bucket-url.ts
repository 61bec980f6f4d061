// Splits `s3://bucket/prefix` / `oss://bucket/prefix` into a bucket and a key prefix, by hand:
// WHATWG URL parsing would lower-case and %-encode parts of the prefix.
import { ValidationError } from '@eddy/core';
import { mountKeyPrefix } from './normalize-ufs-path.js';

export interface BucketUrl {
  scheme: string;
  bucket: string;
  /** '' or 'a/b/' (always ends with '/'). */
  prefix: string;
}

export function parseBucketUrl(url: string, scheme: 's3' | 'oss'): BucketUrl {
  const head = `${scheme}://`;
  if (!url.startsWith(head)) throw new ValidationError(`mount URL must start with ${head}: ${url}`, 'url');
  const rest = url.slice(head.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new ValidationError(`mount URL ${url} has an invalid bucket name ${JSON.stringify(bucket)}: use ${head}<bucket>/<prefix> with a lower-case bucket name`, 'url');
  }
  let rawPrefix = slash < 0 ? '' : rest.slice(slash + 1);
  try {
    rawPrefix = decodeURIComponent(rawPrefix);
  } catch (err) {
    throw new ValidationError(`mount URL ${url} has a bad %-escape`, 'url', { cause: err });
  }
  return { scheme, bucket, prefix: mountKeyPrefix(rawPrefix, 'url') };
}

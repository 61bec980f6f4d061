// Parses an S3 ListObjectsV2 response. Done here rather than by minio because minio
// url-decodes keys even when the server ignored `encoding-type=url` (versitygw does), which
// turns '+' into ' ' and fails on '%'. Keys are decoded only when the response says so.
import { xmlBlocks as blocks, xmlField as first, s3KeyDecoder } from './xml-fields.js';

export interface ListObjectsPage {
  objects: Array<{ key: string; size: number; etag: string; lastModified: string }>;
  prefixes: string[];
  isTruncated: boolean;
  nextContinuationToken: string | undefined;
}

export function parseListObjectsXml(xml: string): ListObjectsPage {
  const key = s3KeyDecoder(xml);
  const objects = blocks(xml, 'Contents').map((b) => ({
    key: key(first(b, 'Key') ?? ''),
    size: Number(first(b, 'Size') ?? 0),
    etag: first(b, 'ETag') ?? '',
    lastModified: first(b, 'LastModified') ?? '',
  }));
  const prefixes = blocks(xml, 'CommonPrefixes').map((b) => key(first(b, 'Prefix') ?? ''));
  return {
    objects,
    prefixes,
    isTruncated: first(xml, 'IsTruncated') === 'true',
    nextContinuationToken: first(xml, 'NextContinuationToken') || undefined,
  };
}

/** RFC 3986 escaping as S3 signatures expect it (encodeURIComponent leaves !'()* alone). */
export function uriEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

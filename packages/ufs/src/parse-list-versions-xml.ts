// Parses an S3 ListObjectVersions response (GET ?versions): what a listing of a versioned bucket
// needs, the current version of each key with its versionId. Old versions and keys whose latest
// entry is a delete marker are left out, so the result reads like a ListObjectsV2 page.
import { s3KeyDecoder, xmlBlocks, xmlField } from './xml-fields.js';

export interface ListVersionsPage {
  /** The latest version of each key on this page (never a delete marker). */
  objects: Array<{ key: string; versionId: string; size: number; etag: string; lastModified: string }>;
  prefixes: string[];
  isTruncated: boolean;
  nextKeyMarker: string | undefined;
  nextVersionIdMarker: string | undefined;
}

export function parseListVersionsXml(xml: string): ListVersionsPage {
  const key = s3KeyDecoder(xml);
  const objects: ListVersionsPage['objects'] = [];
  for (const b of xmlBlocks(xml, 'Version')) {
    if (xmlField(b, 'IsLatest') !== 'true') continue;
    objects.push({
      key: key(xmlField(b, 'Key') ?? ''),
      versionId: xmlField(b, 'VersionId') ?? '',
      size: Number(xmlField(b, 'Size') ?? 0),
      etag: xmlField(b, 'ETag') ?? '',
      lastModified: xmlField(b, 'LastModified') ?? '',
    });
  }
  const nextKey = xmlField(xml, 'NextKeyMarker');
  return {
    objects,
    prefixes: xmlBlocks(xml, 'CommonPrefixes').map((b) => key(xmlField(b, 'Prefix') ?? '')),
    isTruncated: xmlField(xml, 'IsTruncated') === 'true',
    nextKeyMarker: nextKey ? key(nextKey) : undefined,
    nextVersionIdMarker: xmlField(xml, 'NextVersionIdMarker') || undefined,
  };
}

// Parses an S3 ListObjectsV2 response. Done here rather than by minio because minio
// url-decodes keys even when the server ignored `encoding-type=url` (versitygw does), which
// turns '+' into ' ' and fails on '%'. Keys are decoded only when the response says so.

export interface ListObjectsPage {
  objects: Array<{ key: string; size: number; etag: string; lastModified: string }>;
  prefixes: string[];
  isTruncated: boolean;
  nextContinuationToken: string | undefined;
}

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ENTITY[e] ?? '';
  });
}

function first(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  if (m) return unescapeXml(m[1] ?? '');
  return new RegExp(`<${tag}\\s*/>`).test(xml) ? '' : undefined;
}

function blocks(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1] ?? '');
}

export function parseListObjectsXml(xml: string): ListObjectsPage {
  const urlEncoded = first(xml, 'EncodingType')?.toLowerCase() === 'url';
  // S3's url encoding is form-style: '+' stands for a space, a real '+' arrives as %2B.
  const key = (raw: string): string => (urlEncoded ? decodeURIComponent(raw.replace(/\+/g, ' ')) : raw);
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

// The few XML reading helpers the S3 listing parsers need (ListObjectsV2, ListObjectVersions):
// their responses are flat enough that a full XML parser would only add a dependency.

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ENTITY[e] ?? '';
  });
}

/** The text of the first `<tag>` in `xml` (unescaped), '' for `<tag/>`, undefined when absent. */
export function xmlField(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  if (m) return unescapeXml(m[1] ?? '');
  return new RegExp(`<${tag}\\s*/>`).test(xml) ? '' : undefined;
}

/** The inner text of every `<tag>…</tag>` in `xml`, in order. */
export function xmlBlocks(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1] ?? '');
}

/**
 * Decodes keys of a listing response. S3's url encoding is form-style ('+' stands for a space, a
 * real '+' arrives as %2B), and keys are decoded only when the response says it encoded them.
 */
export function s3KeyDecoder(xml: string): (raw: string) => string {
  const urlEncoded = xmlField(xml, 'EncodingType')?.toLowerCase() === 'url';
  return (raw) => (urlEncoded ? decodeURIComponent(raw.replace(/\+/g, ' ')) : raw);
}

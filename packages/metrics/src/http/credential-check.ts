// Who may read an HTTP endpoint: the cluster token, sent as `Authorization: Bearer TOKEN` (what
// Prometheus' `authorization` block sends) or as the password of HTTP Basic auth (what a browser
// prompts for, and what EventSource then sends along). Compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** The credential an Authorization header carries (Bearer token or Basic password), if any. */
export function presentedCredential(headers: IncomingHttpHeaders): string | undefined {
  const h = headers.authorization;
  if (!h) return undefined;
  const m = /^(Bearer|Basic)\s+(\S+)\s*$/i.exec(h);
  if (!m) return undefined;
  if (m[1]!.toLowerCase() === 'bearer') return m[2];
  const decoded = Buffer.from(m[2]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

export function credentialMatches(headers: IncomingHttpHeaders, token: string): boolean {
  const got = presentedCredential(headers);
  // Hashing first makes the comparison constant-time whatever the lengths.
  return got !== undefined && token !== '' && timingSafeEqual(digest(got), digest(token));
}

/** Loopback listeners (127.0.0.0/8, ::1, localhost) are reachable only from this host. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

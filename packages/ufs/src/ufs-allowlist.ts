// Where a mount may point. A Dataset is written by an admin but read by master and workers with
// their own file-system rights and network position: without a fence, `file:///` would expose
// the master's journal (every Secret) and `fs.s3.endpoint` could aim requests at internal hosts.
import { realpathSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { ValidationError } from '@eddy/core';
import type { UfsMountConfig } from './under-file-system.js';
import { fileUrlToRoot } from './file-ufs.js';
import { parseEndpoint } from './ufs-client-options.js';
import { UfsNotAllowedError } from './ufs-errors.js';
import { EDDY_OPTIONS, parseEddyUrl } from './eddy/eddy-mount-settings.js';

export interface UfsAllowlist {
  /**
   * Directories a `file://` root must lie under (compared after resolving symlinks). Undefined
   * allows any directory: that is for embedding and tests; the master and worker commands always
   * pass a list (empty when no `--allow-file-root` was given, which refuses every `file://`).
   */
  fileRoots?: readonly string[];
  /**
   * S3/OSS endpoints a mount may use: `host` (any port) or `host:port`, or a URL whose host and
   * port are taken. Undefined or empty: any endpoint.
   */
  endpoints?: readonly string[];
}

const ENDPOINT_OPTION: Record<string, { field: string; fallback?: string }> = {
  s3: { field: 'fs.s3.endpoint', fallback: 'https://s3.amazonaws.com' },
  oss: { field: 'fs.oss.endpoint' },
};

/** Throws UfsNotAllowedError when `config` points outside `allow`; other checks stay with the drivers. */
export function checkUfsAllowed(config: UfsMountConfig, allow: UfsAllowlist, cwd = process.cwd()): void {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(config.url)?.[1]?.toLowerCase();
  if (scheme === 'file' && allow.fileRoots !== undefined) checkFileRoot(fileUrlToRoot(config.url, cwd), allow.fileRoots);
  if (scheme === 'eddy') { checkEddyAllowed(config, allow, cwd); return; }
  const ep = scheme === undefined ? undefined : ENDPOINT_OPTION[scheme];
  if (ep && allow.endpoints !== undefined && allow.endpoints.length > 0) {
    const raw = config.options[ep.field] ?? ep.fallback;
    if (raw === undefined) return; // the driver reports the missing option
    checkEndpoint(parseEndpoint(raw, ep.field), ep.field, allow.endpoints);
  }
}

/** An upstream Eddy master is an endpoint like a bucket's; its fallback (the bucket) is checked as a mount of its own. */
function checkEddyAllowed(config: UfsMountConfig, allow: UfsAllowlist, cwd: string): void {
  const { address } = parseEddyUrl(config.url);
  if (allow.endpoints !== undefined && allow.endpoints.length > 0) checkEndpoint(new URL(`http://${address}`), 'url', allow.endpoints);
  const fallback = config.options[EDDY_OPTIONS.fallback];
  if (fallback) checkUfsAllowed({ url: fallback, options: config.options }, allow, cwd);
}

function checkFileRoot(root: string, allowed: readonly string[]): void {
  const real = realOrSelf(root);
  for (const a of allowed) {
    const dir = realOrSelf(resolve(a));
    if (real === dir || real.startsWith(dir.endsWith(sep) ? dir : dir + sep)) return;
  }
  const hint = allowed.length === 0
    ? 'no file:// root is allowed; start the master and workers with --allow-file-root DIR'
    : `allowed roots: ${allowed.join(', ')} (--allow-file-root)`;
  throw new UfsNotAllowedError(`file://${root} is not under an allowed directory; ${hint}`);
}

/** The realpath when the path exists, so a symlink under an allowed root cannot lead out of it. */
function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

function checkEndpoint(url: URL, field: string, allowed: readonly string[]): void {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const entry of allowed) {
    const want = parseAllowedEndpoint(entry);
    if (want.host === host && (want.port === undefined || want.port === port)) return;
  }
  throw new UfsNotAllowedError(`${field} ${host}:${port} is not an allowed endpoint; allowed: ${allowed.join(', ')}`);
}

function parseAllowedEndpoint(entry: string): { host: string; port?: string } {
  if (entry.includes('://')) {
    const u = parseEndpoint(entry, 'endpoints');
    return { host: u.hostname.replace(/^\[|\]$/g, '').toLowerCase(), port: u.port || (u.protocol === 'https:' ? '443' : '80') };
  }
  const m = /^(\[[^\]]+\]|[^:/\s]+)(?::(\d{1,5}))?$/.exec(entry.trim());
  if (!m?.[1]) throw new ValidationError(`allowed endpoint ${JSON.stringify(entry)} is not host, host:port or a URL`, 'endpoints');
  const host = m[1].replace(/^\[|\]$/g, '').toLowerCase();
  return m[2] === undefined ? { host } : { host, port: m[2] };
}

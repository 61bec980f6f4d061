// What an `eddy://HOST:PORT/DATASET[/prefix]` mount says, checked once: the upstream master's
// address, its dataset and a prefix inside it, the upstream's credential and CA, and the optional
// fallback (the bucket itself) with how often a failed upstream is probed. Errors name the field
// at fault and how to fix it; they never quote a credential.
import { ValidationError } from '@eddy/core';
import { mountKeyPrefix } from '../normalize-ufs-path.js';

/** Option names of the eddy:// driver (set them in the Dataset mount's options / encryptOptions). */
export const EDDY_OPTIONS = {
  token: 'fs.eddy.token',
  tlsCA: 'fs.eddy.tlsCA',
  fallback: 'fs.eddy.fallback',
  probeInterval: 'fs.eddy.probeIntervalSeconds',
  timeout: 'fs.eddy.timeoutSeconds',
} as const;

export const EDDY_DEFAULTS = {
  /** How often a failed-over mount asks the upstream whether it answers again. */
  probeIntervalMs: 10_000,
  /** Deadline of one control call or one block read from the upstream: bounds how long a read waits on a dead upstream. */
  timeoutMs: 10_000,
  /** Deadline of one block read from an upstream worker (it may read through from the bucket first). */
  blockReadTimeoutMs: 120_000,
} as const;

/** Dataset names as the manifests allow them (Kubernetes DNS-1123 subdomain). */
const DATASET_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export interface EddyMountSettings {
  /** host:port of the upstream master. */
  address: string;
  /** The upstream's Dataset. */
  dataset: string;
  /** Prefix inside the upstream dataset: '' or ending in '/'. */
  prefix: string;
  token: string;
  /** PEM CA bundle that signed the upstream's certificates; set = TLS on control and data channels. */
  tlsCA: Buffer | undefined;
  /** The bucket URL to read when the upstream does not answer (same options map); undefined = none. */
  fallbackUrl: string | undefined;
  probeIntervalMs: number;
  timeoutMs: number;
}

const EXAMPLE = 'eddy://eddy-master.region-a:7070/models or eddy://10.0.0.5:7070/models/prefix';

function seconds(options: Record<string, string>, name: string, fallbackMs: number): number {
  const raw = options[name];
  if (raw === undefined || raw === '') return fallbackMs;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > 3600) throw new ValidationError(`${name} must be a number of seconds in (0, 3600], got ${JSON.stringify(raw)}`, name);
  return Math.round(n * 1000);
}

/** The URL alone (address, dataset, prefix): what an allowlist checks before Secrets are resolved. */
export function parseEddyUrl(url: string): Pick<EddyMountSettings, 'address' | 'dataset' | 'prefix'> {
  const m = /^eddy:\/\/([^/?#]*)(\/[^?#]*)?$/i.exec(url);
  if (!m) throw new ValidationError(`url ${JSON.stringify(url)} is not an eddy:// URL: use ${EXAMPLE} (no query or fragment)`, 'url');
  const authority = m[1] ?? '';
  if (authority.includes('@')) throw new ValidationError(`url must not carry credentials: put the upstream's token in ${EDDY_OPTIONS.token} (encryptOptions)`, 'url');
  const hp = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):(\d{1,5})$/i.exec(authority);
  const port = hp ? Number(hp[2]) : NaN;
  if (!hp || port < 1 || port > 65535) {
    throw new ValidationError(`url ${JSON.stringify(url)}: the upstream master must be HOST:PORT with a port in 1-65535, e.g. ${EXAMPLE}`, 'url');
  }
  const segments = (m[2] ?? '').split('/').filter((s) => s !== '');
  const dataset = segments[0];
  if (dataset === undefined) throw new ValidationError(`url ${JSON.stringify(url)} names no dataset: add the upstream's Dataset name after the address, e.g. ${EXAMPLE}`, 'url');
  if (!DATASET_NAME.test(dataset)) {
    throw new ValidationError(`url ${JSON.stringify(url)}: ${JSON.stringify(dataset)} is not a Dataset name (lower-case letters, digits, '-' and '.')`, 'url');
  }
  const prefix = mountKeyPrefix(segments.slice(1).join('/'), 'url');
  return { address: `${hp[1]}:${port}`, dataset, prefix };
}

/** Parses and validates the mount; throws ValidationError naming the field and the fix. */
export function parseEddyMount(url: string, options: Record<string, string>): EddyMountSettings {
  const { address, dataset, prefix } = parseEddyUrl(url);
  const token = options[EDDY_OPTIONS.token] ?? '';
  if (token === '') {
    throw new ValidationError(`${EDDY_OPTIONS.token} is missing for ${url}: set it through encryptOptions from a Secret holding a client credential of the upstream cluster`,
      EDDY_OPTIONS.token);
  }
  if (token.length > 4096 || /\s/.test(token)) throw new ValidationError(`${EDDY_OPTIONS.token} must be one line of at most 4096 characters without spaces`, EDDY_OPTIONS.token);
  const ca = options[EDDY_OPTIONS.tlsCA];
  if (ca !== undefined && ca !== '' && !ca.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ValidationError(`${EDDY_OPTIONS.tlsCA} must hold a PEM CA bundle (-----BEGIN CERTIFICATE-----...), not a file name`, EDDY_OPTIONS.tlsCA);
  }
  const fallback = options[EDDY_OPTIONS.fallback];
  if (fallback !== undefined && fallback !== '' && /^eddy:/i.test(fallback)) {
    throw new ValidationError(`${EDDY_OPTIONS.fallback} must name the bucket (s3://, oss://, file://), not another eddy:// upstream`, EDDY_OPTIONS.fallback);
  }
  return {
    address,
    dataset,
    prefix,
    token,
    tlsCA: ca ? Buffer.from(ca) : undefined,
    fallbackUrl: fallback || undefined,
    probeIntervalMs: seconds(options, EDDY_OPTIONS.probeInterval, EDDY_DEFAULTS.probeIntervalMs),
    timeoutMs: seconds(options, EDDY_OPTIONS.timeout, EDDY_DEFAULTS.timeoutMs),
  };
}

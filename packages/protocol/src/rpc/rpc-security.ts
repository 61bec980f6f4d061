// Cluster token and TLS settings shared by the control plane (gRPC) and the data channel.
import { readFileSync } from 'node:fs';
import { timingSafeEqual, createHash } from 'node:crypto';
import { ValidationError } from '@eddy/core';

export const TOKEN_METADATA_KEY = 'x-eddy-token';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** CA bundle used to verify the peer (clients: the server's CA). */
  caFile?: string;
}

export interface RpcSecurity {
  /** Cluster token; empty string means "no token configured" (allowed only for local tests). */
  token: string;
  tls?: { cert: Buffer; key: Buffer; ca?: Buffer };
}

/** Reads a token file (trimmed); a missing or empty file is an error naming the flag. */
export function readTokenFile(path: string, flag = '--token-file'): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new ValidationError(`${flag}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, flag);
  }
  if (!text) throw new ValidationError(`${flag}: ${path} is empty; put the cluster token in it`, flag);
  if (text.length > 4096) throw new ValidationError(`${flag}: ${path} holds more than 4096 characters; a token is a short string`, flag);
  return text;
}

export function readTlsFiles(files: TlsFiles | undefined): RpcSecurity['tls'] {
  if (!files) return undefined;
  const read = (p: string, what: string): Buffer => {
    try { return readFileSync(p); } catch (err) {
      throw new ValidationError(`${what}: cannot read ${p}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, what);
    }
  };
  return { cert: read(files.certFile, '--tls-cert'), key: read(files.keyFile, '--tls-key'), ...(files.caFile ? { ca: read(files.caFile, '--tls-ca') } : {}) };
}

/** Constant-time token comparison (hashing first makes the lengths equal). */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (!expected) return true;
  if (presented === undefined) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(presented).digest();
  return timingSafeEqual(a, b);
}

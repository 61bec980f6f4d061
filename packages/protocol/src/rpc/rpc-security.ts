// Tokens and TLS settings shared by the control plane (gRPC) and the data channel.
import { readFileSync } from 'node:fs';
import { timingSafeEqual, createHash } from 'node:crypto';
import { ValidationError } from '@eddy/core';
import { readCredentialFile } from './credential-file.js';

export const TOKEN_METADATA_KEY = 'x-eddy-token';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** CA bundle used to verify the peer (clients: the server's CA). */
  caFile?: string;
}

export interface RpcSecurity {
  /** The token this side presents; empty string means "no token configured" (allowed only for local tests). */
  token: string;
  tls?: { cert: Buffer; key: Buffer; ca?: Buffer };
}

/**
 * The token a worker or client presents: the first credential of a token file (credential-file.ts;
 * a file holding just the token is the common case). A missing or empty file is an error naming the flag.
 */
export function readTokenFile(path: string, flag = '--token-file'): string {
  const first = readCredentialFile(path, flag)[0];
  if (!first) throw new ValidationError(`${flag}: ${path} is empty; put the token in it`, flag);
  return first.token;
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

// The one place every command that talks to the master (get, describe, apply, delete, load,
// mount, worker) resolves where the master is and how to prove who it is:
//   address  --master, else EDDY_MASTER, else CLI_DEFAULTS.master (unless the command requires it)
//   token    --token-file, else EDDY_TOKEN_FILE, else the token of a local `eddy up` with default
//            paths (~/.local/state/eddy/up/admin-token, or client-token for a mount; never for a
//            worker), else none
//   CA       --tls-ca, else EDDY_TLS_CA: verifies a master (and workers) serving TLS
import { existsSync, readFileSync } from 'node:fs';
import { parseHostPort, ValidationError } from '@eddy/core';
import { readTokenFile } from '@eddy/protocol/rpc';
import { UsageError } from '../usage-error.js';
import { defaultUpDataDir, upTokenFile } from '../up/up-paths.js';
import { CLI_DEFAULTS, CLI_ENV } from './cli-defaults.js';

/** The connection flags as commander parsed them (command flags over the global ones). */
export interface ConnectionFlags {
  master?: string | undefined;
  tokenFile?: string | undefined;
  tlsCa?: string | undefined;
}

export interface ResolveOptions {
  /** Server processes (worker, mount) name their master explicitly: no default address. */
  requireMaster?: boolean;
  /** Which `eddy up` token to fall back to (default admin: the CLI's commands); false: none. */
  upFallback?: 'admin' | 'client' | false;
}

export interface Connection {
  /** HOST:PORT of the master. */
  address: string;
  /** The cluster token; '' when none was found. */
  token: string;
  /** Where the token came from (for messages); undefined when there is none. */
  tokenFile: string | undefined;
  /** CA bundle (PEM) verifying servers that speak TLS; undefined for plaintext. */
  ca: Buffer | undefined;
}

const fromEnv = (env: NodeJS.ProcessEnv, name: string): string | undefined => env[name] || undefined;

function isHostPort(address: string): boolean {
  try {
    parseHostPort(address, '--master');
    return true;
  } catch {
    return false;
  }
}

function resolveAddress(flags: ConnectionFlags, env: NodeJS.ProcessEnv, options: ResolveOptions): string {
  const address = flags.master ?? fromEnv(env, CLI_ENV.master) ?? (options.requireMaster ? undefined : CLI_DEFAULTS.master);
  if (address === undefined) throw new UsageError(`no master: pass --master HOST:PORT or set ${CLI_ENV.master}`);
  // parseHostPort reads an empty host as 0.0.0.0 (a listen address); a client needs a real one.
  if (!isHostPort(address) || address.startsWith(':') || /\s/.test(address)) {
    throw new UsageError(`--master must be HOST:PORT, got ${JSON.stringify(address)}`);
  }
  return address;
}

/** --token-file, else EDDY_TOKEN_FILE, else (with `upFallback`) that role's token a local `eddy up` wrote. */
export function resolveTokenFile(flags: ConnectionFlags, env: NodeJS.ProcessEnv, upFallback: 'admin' | 'client' | false): string | undefined {
  const given = flags.tokenFile ?? fromEnv(env, CLI_ENV.tokenFile);
  if (given !== undefined || !upFallback) return given;
  // Last resort: the token `eddy up` wrote with its defaults, so that on the machine running it
  // `eddy get dataset` works without flags.
  const upToken = upTokenFile(defaultUpDataDir(env), upFallback);
  return existsSync(upToken) ? upToken : undefined;
}

/** Reads a CA bundle named by --tls-ca / EDDY_TLS_CA. */
export function readCaFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ValidationError(`--tls-ca: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, '--tls-ca');
  }
}

/** Resolves address, token and CA once, validating each; throws with the flag to fix. */
export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv, options: ResolveOptions = {}): Connection {
  const address = resolveAddress(flags, env, options);
  const tokenFile = resolveTokenFile(flags, env, options.upFallback ?? 'admin');
  const token = tokenFile ? readTokenFile(tokenFile, '--token-file') : '';
  const caFile = flags.tlsCa ?? fromEnv(env, CLI_ENV.tlsCa);
  return { address, token, tokenFile, ca: caFile ? readCaFile(caFile) : undefined };
}

// How client commands (apply, get, describe, delete) reach the master: `--master HOST:PORT`
// (env EDDY_MASTER, default 127.0.0.1:19998) and `--token-file F` (env EDDY_TOKEN_FILE, else the
// token of a local `eddy up` with default paths, else none), and `--tls-ca F` (env EDDY_TLS_CA)
// for a master serving TLS.
import { existsSync, readFileSync } from 'node:fs';
import { createMasterClient, readTokenFile, type MasterRpc, type RpcSecurity } from '@eddy/protocol';
import { EddyError, UnavailableError, ValidationError } from '@eddy/core';
import type { CliIo } from './cli-io.js';
import { UsageError } from './cli-error.js';
import { defaultUpDataDir, upTokenFile } from './up/up-paths.js';

export const DEFAULT_MASTER = '127.0.0.1:19998';
/** Client commands each take `--tls-ca` (a program-level option would swallow the one of `eddy mount`). */
export const TLS_CA_FLAG = '--tls-ca <file>';
export const TLS_CA_HELP = 'CA bundle (PEM) to verify a master serving TLS (env EDDY_TLS_CA)';
/** Deadline of one control-plane call from the CLI. */
export const CLI_RPC_TIMEOUT_MS = 15_000;

export interface GlobalOptions {
  master?: string;
  tokenFile?: string;
  /** CA bundle (PEM) verifying a TLS master; the client presents no certificate. */
  tlsCa?: string | undefined;
}

export interface MasterTarget {
  address: string;
  token: string;
  tls?: RpcSecurity['tls'];
}

function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ValidationError(`--tls-ca: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, '--tls-ca');
  }
}

/** Resolves flag ?? env ?? default once, validating the address. */
export function resolveMasterTarget(globals: GlobalOptions, env: NodeJS.ProcessEnv): MasterTarget {
  const address = globals.master ?? (env.EDDY_MASTER || DEFAULT_MASTER);
  if (!/^[^\s:]+:\d{1,5}$/.test(address) && !/^\[[0-9a-fA-F:.]+\]:\d{1,5}$/.test(address)) {
    throw new UsageError(`--master must be HOST:PORT, got "${address}"`);
  }
  // Last resort: the token `eddy up` wrote with its defaults, so that on the machine running it
  // `eddy get dataset` works without flags.
  const upToken = upTokenFile(defaultUpDataDir(env));
  const tokenFile = globals.tokenFile ?? (env.EDDY_TOKEN_FILE || undefined) ?? (existsSync(upToken) ? upToken : undefined);
  const token = tokenFile ? readTokenFile(tokenFile, '--token-file') : '';
  const caFile = globals.tlsCa ?? (env.EDDY_TLS_CA || undefined);
  return { address, token, ...(caFile ? { tls: { cert: Buffer.alloc(0), key: Buffer.alloc(0), ca: readCa(caFile) } } : {}) };
}

export interface MasterSession {
  rpc: MasterRpc;
  address: string;
  close(): void;
}

export function connectMaster(globals: GlobalOptions, io: CliIo): MasterSession {
  const target = resolveMasterTarget(globals, io.env);
  const rpc = createMasterClient(target.address, { token: target.token, ...(target.tls ? { tls: target.tls } : {}) });
  let closed = false;
  return {
    rpc,
    address: target.address,
    close() {
      if (closed) return;
      closed = true;
      rpc.close();
    },
  };
}

/** Adds the master's address to "cannot connect" errors so the user knows which flag to fix. */
export function withMasterContext(err: unknown, address: string): unknown {
  if (err instanceof UnavailableError || (err instanceof EddyError && err.code === 'UNREACHABLE')) {
    // grpc-js says "No connection established. Last error: Error: connect ECONNREFUSED …
    // Resolution note: …"; the errno part is what a user can act on.
    const errno = /\b(ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|ECONNRESET)\b/.exec(err.message)?.[1];
    const why = errno ?? err.message.replace(/\s*Resolution note:.*$/s, '').trim();
    return new UnavailableError(`cannot reach the master at ${address}: ${why} (set --master or EDDY_MASTER)`, { cause: err });
  }
  return err;
}

/** Runs `fn` with a connected master session, closing it afterwards. */
export async function withMaster<T>(globals: GlobalOptions, io: CliIo, fn: (session: MasterSession) => Promise<T>): Promise<T> {
  const session = connectMaster(globals, io);
  try {
    return await fn(session);
  } catch (err) {
    throw withMasterContext(err, session.address);
  } finally {
    session.close();
  }
}

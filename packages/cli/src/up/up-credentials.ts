// The three credentials of an `eddy up` cluster, one file per role in its state directory (0600):
// `admin-token` (the CLI's: apply, get, ...), `worker-token` (its workers, bound to their runtimes
// and worker ids) and `client-token` (its mount, scoped to the mounted dataset). Each is made once
// with a random token and kept across restarts; the scopes follow the manifests of this start.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseCredentials, readTokenFile, type Credential } from '@eddy/protocol/rpc';
import { upTokenFile } from './up-paths.js';

export interface UpCredentials {
  admin: Credential;
  worker: Credential;
  client: Credential;
  /** The admin token's file (what `eddy get` on this machine reads). */
  adminFile: string;
}

/** The token kept in `file`, or a new random one written there (0600). */
async function ensureFile(file: string, attrs: string): Promise<string> {
  let token: string | undefined;
  try {
    token = parseCredentials(await readFile(file, 'utf8'), file, file)[0]?.token;
  } catch { /* first run (or an unreadable file): make a new one */ }
  token ??= randomBytes(24).toString('hex');
  const line = `${[token, attrs].filter(Boolean).join(' ')}\n`;
  const current = await readFile(file, 'utf8').catch(() => '');
  if (current !== line) await writeFile(file, line, { mode: 0o600 });
  return token;
}

/** The workers `eddy up` starts: their runtimes and worker ids (what the worker credential is bound to). */
export interface UpWorkerScope {
  runtimes: string[];
  workerIds: string[];
}

/** `adminTokenFile`: a --token-file the user gave (their admin token); default `<dataDir>/admin-token`. */
export async function ensureUpCredentials(dataDir: string, dataset: string, workers: UpWorkerScope, adminTokenFile?: string): Promise<UpCredentials> {
  const adminFile = adminTokenFile ? resolve(adminTokenFile) : upTokenFile(dataDir, 'admin');
  const admin = adminTokenFile ? readTokenFile(adminTokenFile, '--token-file') : await ensureFile(adminFile, '');
  const bound = { datasets: workers.runtimes, workers: workers.workerIds };
  // No workers (no Runtime): the file stays parseable; the master still gets the empty scope, which allows no one.
  const attrs = bound.workers.length > 0 ? `datasets=${bound.datasets.join(',')} workers=${bound.workers.join(',')}` : '';
  const worker = await ensureFile(upTokenFile(dataDir, 'worker'), attrs);
  const client = await ensureFile(upTokenFile(dataDir, 'client'), `datasets=${dataset}`);
  return { admin: { token: admin }, worker: { token: worker, ...bound }, client: { token: client, datasets: [dataset] }, adminFile };
}

// The master's credentials from its flags: one file per role (--admin-token-file,
// --worker-token-file, --client-token-file; format in @eddy/protocol credential-file.ts), or
// the deprecated single --token-file / EDDY_TOKEN_FILE whose token holds every role.
import type { Logger } from 'pino';
import { ValidationError } from '@eddy/core';
import { readCredentialFile, type Credential } from '@eddy/protocol/rpc';
import type { MasterFlags } from '../commands/master-command.js';
import { resolveTokenFile } from '../connection/resolve-connection.js';

export interface MasterCredentials {
  credentials?: { admin: Credential[]; worker: Credential[]; client: Credential[] };
  /** The deprecated one-token setup. */
  token?: string;
  /** Presented by /metrics and the status page off loopback: the (first) admin token. */
  adminToken: string;
}

const ROLE_FLAGS = { admin: '--admin-token-file', worker: '--worker-token-file', client: '--client-token-file' } as const;

export function masterCredentials(flags: MasterFlags, globalTokenFile: string | undefined, env: NodeJS.ProcessEnv, logger: Logger): MasterCredentials {
  const files = { admin: flags.adminTokenFile, worker: flags.workerTokenFile, client: flags.clientTokenFile };
  const given = Object.values(files).some((f) => f !== undefined);
  // The master does not fall back to an `eddy up` token: it defines the cluster's credentials.
  const single = resolveTokenFile({ tokenFile: flags.tokenFile ?? globalTokenFile }, env, false);
  if (given) {
    if (flags.tokenFile ?? globalTokenFile) throw new ValidationError('--token-file cannot be combined with the role token files', '--token-file');
    const missing = (Object.keys(files) as Array<keyof typeof files>).filter((r) => files[r] === undefined).map((r) => ROLE_FLAGS[r]);
    if (missing.length > 0) throw new ValidationError(`the role token files go together: also pass ${missing.join(' and ')}`, missing[0]);
    const read = (r: keyof typeof files): Credential[] => readCredentialFile(files[r]!, ROLE_FLAGS[r]);
    const credentials = { admin: read('admin'), worker: read('worker'), client: read('client') };
    return { credentials, adminToken: credentials.admin[0]?.token ?? '' };
  }
  if (single) {
    logger.warn('--token-file / EDDY_TOKEN_FILE on the master is deprecated: its token holds every role (admin, worker, client); '
      + 'give each role its own file with --admin-token-file, --worker-token-file and --client-token-file');
    const token = readCredentialFile(single, '--token-file')[0]?.token ?? '';
    return { token, adminToken: token };
  }
  throw new ValidationError('no credentials: pass --admin-token-file, --worker-token-file and --client-token-file '
    + '(one token per line; see docs/security.md)', '--admin-token-file');
}

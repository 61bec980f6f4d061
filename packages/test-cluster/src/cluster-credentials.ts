// The role credentials of a test cluster, as files in its directory: the master gets one file per
// role; workers the worker token; mounts the (unscoped) client token. A second client token,
// scoped to the cluster's dataset, lets a test act as a client of that one dataset only.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface TokenFile {
  token: string;
  file: string;
}

export interface ClusterCredentials {
  admin: TokenFile;
  worker: TokenFile;
  /** Every dataset: what the fixture's mounts use. */
  client: TokenFile;
  /** Only `dataset` (a file with just this token, for a client process). */
  scopedClient: TokenFile;
  /** `--admin-token-file A --worker-token-file W --client-token-file C` for `eddy master`. */
  masterFlags: string[];
}

const fresh = (role: string): string => `${role}-${randomBytes(12).toString('hex')}`;

async function write(file: string, text: string): Promise<void> {
  await writeFile(file, text, { mode: 0o600 });
}

/** Writes the credential files into `dir`; `adminToken` is the admin's token (the fixture's `token`). */
export async function writeClusterCredentials(dir: string, adminToken: string, dataset: string): Promise<ClusterCredentials> {
  const admin = { token: adminToken, file: join(dir, 'token') };
  const worker = { token: fresh('worker'), file: join(dir, 'worker-token') };
  const client = { token: fresh('client'), file: join(dir, 'client-token') };
  const scopedClient = { token: fresh('scoped'), file: join(dir, 'scoped-client-token') };
  const masterClientFile = join(dir, 'master-client-tokens');
  await write(admin.file, `${admin.token}\n`);
  await write(worker.file, `${worker.token}\n`);
  await write(client.file, `${client.token}\n`);
  await write(scopedClient.file, `${scopedClient.token}\n`);
  await write(masterClientFile, `${client.token}\n${scopedClient.token} datasets=${dataset}\n`);
  const masterFlags = ['--admin-token-file', admin.file, '--worker-token-file', worker.file, '--client-token-file', masterClientFile];
  return { admin, worker, client, scopedClient, masterFlags };
}

// Eddy as a bench target: a master, 2 workers with a MEM tier and a FUSE mount, each a child
// process of `node packages/cli/bin/eddy.js`, configured with the same Fluid manifests a user
// applies. Filled in as the components land; eddyFactory returns undefined while they are missing.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../exec.js';
import type { FsTarget, S3Access } from './target.js';

export const EDDY_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'packages', 'cli', 'bin', 'eddy.js');

export type EddyFactory = (access: S3Access, region: string) => FsTarget;

async function hasCommand(name: string): Promise<boolean> {
  const r = await run(process.execPath, [EDDY_BIN, name, '--help'], { check: false, timeoutMs: 30_000 }).catch(() => undefined);
  return r !== undefined && r.code === 0;
}

/** A factory for Eddy clusters, or undefined when this checkout cannot run one yet. */
export async function eddyFactory(_workDir: string, log: (m: string) => void): Promise<EddyFactory | undefined> {
  for (const cmd of ['master', 'worker', 'mount', 'apply']) {
    if (!(await hasCommand(cmd))) { log(`eddy ${cmd} is not available: Eddy is left out of this run`); return undefined; }
  }
  log('eddy commands present, but the bench integration is not written yet');
  return undefined;
}

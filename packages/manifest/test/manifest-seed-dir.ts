// Locates the seed manifests ($EDDY_SEED_DIR, shared/seed next to the clone, or the copy in test/fixtures/seed).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function findSeedDir(): string {
  const candidates: string[] = [];
  if (process.env.EDDY_SEED_DIR) candidates.push(resolve(process.env.EDDY_SEED_DIR));
  // lib/test → lib → common → packages → repo → parent of the repo.
  candidates.push(fileURLToPath(new URL('../../../../../shared/seed/', import.meta.url)));
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    candidates.push(join(dir, 'shared', 'seed'));
    if (dirname(dir) === dir) break;
  }
  // Last resort: the verbatim copy kept in the repo (test/fixtures/seed), for clones without shared/.
  candidates.push(fileURLToPath(new URL('../../../../test/fixtures/seed/', import.meta.url)));
  const found = candidates.find((c) => existsSync(join(c, 'dataset.yaml')));
  if (!found) throw new Error(`seed manifests not found; set EDDY_SEED_DIR (looked in ${candidates.slice(0, 3).join(', ')}, …)`);
  return found;
}

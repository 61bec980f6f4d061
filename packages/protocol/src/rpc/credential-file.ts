// Credential files: what `--admin-token-file`, `--worker-token-file`, `--client-token-file` (master)
// and `--token-file` (workers, clients) hold. One credential a line:
//
//   TOKEN [datasets=NAME,NAME...] [workers=ID,ID...] [ufs=direct]      # comments and blank lines are ignored
//
// `datasets=` scopes the credential to those datasets (for a worker credential: the runtimes it
// may serve, a Runtime being named after its Dataset); without it every dataset is allowed.
// `workers=` binds a worker credential to those worker ids: it may register and heartbeat only as
// one of them (without it, as any worker id).
// `ufs=direct` lets a client credential receive its datasets' cloud credentials (direct bucket
// reads, `eddy mount --direct-ufs`). Several lines let a master accept an old and a new token
// while a credential is rotated. A worker or client presents the first line's token.
import { readFileSync } from 'node:fs';
import { ValidationError } from '@eddy/core';

export interface Credential {
  token: string;
  /** The only datasets the credential may touch; undefined = every dataset. */
  datasets?: readonly string[];
  /** A client credential that may receive cloud credentials for direct bucket reads. */
  directUfs?: boolean;
  /** The only worker ids a worker credential may register as; undefined = any. */
  workers?: readonly string[];
}

const TOKEN_RE = /^[\x21-\x7e]{1,4096}$/;
const NAME_RE = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** A worker id: printable, no space or comma, as `eddy worker --worker-id` takes it. */
const WORKER_ID_RE = /^[\x21-\x2b\x2d-\x7e]{1,253}$/;

function parseAttribute(cred: Credential, attr: string, where: string, flag: string): Credential {
  const eq = attr.indexOf('=');
  const key = eq < 0 ? attr : attr.slice(0, eq);
  const value = eq < 0 ? '' : attr.slice(eq + 1);
  if (key === 'datasets') {
    const names = value.split(',').filter((n) => n !== '');
    const bad = names.find((n) => !NAME_RE.test(n));
    if (names.length === 0 || bad !== undefined) {
      throw new ValidationError(`${flag}: ${where}: datasets= takes comma-separated dataset names${bad ? `, got ${JSON.stringify(bad)}` : ''}`, flag);
    }
    return { ...cred, datasets: [...new Set([...(cred.datasets ?? []), ...names])] };
  }
  if (key === 'workers') {
    const ids = value.split(',').filter((n) => n !== '');
    const bad = ids.find((n) => !WORKER_ID_RE.test(n));
    if (ids.length === 0 || bad !== undefined) {
      throw new ValidationError(`${flag}: ${where}: workers= takes comma-separated worker ids${bad ? `, got ${JSON.stringify(bad.slice(0, 64))}` : ''}`, flag);
    }
    return { ...cred, workers: [...new Set([...(cred.workers ?? []), ...ids])] };
  }
  if (key === 'ufs' && value === 'direct') return { ...cred, directUfs: true };
  throw new ValidationError(`${flag}: ${where}: unknown attribute ${JSON.stringify(key)} (known: datasets=A,B, workers=ID,ID and ufs=direct)`, flag);
}

/** Parses the text of a credential file; `source` names it in errors (never a token). */
export function parseCredentials(text: string, source: string, flag: string): Credential[] {
  const out: Credential[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/#.*$/, '').trim();
    if (!line) continue;
    const [token = '', ...attrs] = line.split(/\s+/);
    const where = `${source} line ${i + 1}`;
    if (!TOKEN_RE.test(token)) {
      throw new ValidationError(`${flag}: ${where}: a token is up to 4096 printable characters without spaces`, flag);
    }
    let cred: Credential = { token };
    for (const a of attrs) cred = parseAttribute(cred, a, where, flag);
    out.push(cred);
  }
  if (out.length === 0) throw new ValidationError(`${flag}: ${source} holds no token; put one in it`, flag);
  return out;
}

/** Reads and parses a credential file; a missing, empty or malformed file is an error naming the flag. */
export function readCredentialFile(path: string, flag: string): Credential[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ValidationError(`${flag}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, flag);
  }
  if (text.length > 1024 * 1024) throw new ValidationError(`${flag}: ${path} is larger than 1 MiB`, flag);
  return parseCredentials(text, path, flag);
}

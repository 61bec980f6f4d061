// Where `eddy up` keeps its state by default, and the token files commands fall back to,
// so that `eddy get dataset` in another terminal on the same machine needs no flags.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$XDG_STATE_HOME/eddy/up`, else `~/.local/state/eddy/up`. */
export function defaultUpDataDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'eddy', 'up');
}

/** A credential file `eddy up` writes into its data directory: `admin-token`, `worker-token`, `client-token`. */
export function upTokenFile(dataDir: string, role: 'admin' | 'worker' | 'client'): string {
  return join(dataDir, `${role}-token`);
}

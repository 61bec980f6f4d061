// The master's credentials by role, replaceable while it runs: `eddy master` re-reads its token
// files on SIGHUP and hands them here, so a credential is rotated without a restart. One object
// holds both what checks callers (the Authenticator, digests only) and the worker tokens the
// master presents when it calls a worker.
import { ValidationError } from '@eddy/core';
import { Authenticator, type Credential, type RoleCredentials } from '@eddy/protocol';

/** What MasterOptions carries: credentials by role, or the deprecated one token of every role. */
export interface CredentialInput {
  credentials?: RoleCredentials | undefined;
  token?: string | undefined;
}

/** The role credentials; the deprecated single token, when given, holds every role. Throws ValidationError. */
function resolveCredentials(o: CredentialInput): RoleCredentials {
  const legacy: Credential[] = o.token ? [{ token: o.token }] : [];
  const c = o.credentials ?? {};
  const out: RoleCredentials = {
    admin: [...(c.admin ?? []), ...legacy], worker: [...(c.worker ?? []), ...legacy], client: [...(c.client ?? []), ...legacy],
  };
  for (const [role, list] of Object.entries(out)) {
    if (role !== 'client' && list.some((x) => x.directUfs)) throw new ValidationError(`ufs=direct applies to client credentials only (${role})`, role);
    if (role !== 'worker' && list.some((x) => x.workers)) throw new ValidationError(`workers= applies to worker credentials only (${role})`, role);
    if (role === 'admin' && list.some((x) => x.datasets)) throw new ValidationError('an admin credential cannot be scoped to datasets', role);
  }
  return out;
}

const count = (c: RoleCredentials): Record<string, number> => ({ admin: c.admin?.length ?? 0, worker: c.worker?.length ?? 0, client: c.client?.length ?? 0 });

export class MasterCredentials {
  /** Checks every call; the same object across replacements (the gRPC service holds it). */
  readonly authenticator: Authenticator;
  #byRole: RoleCredentials;

  constructor(input: CredentialInput) {
    this.#byRole = resolveCredentials(input);
    this.authenticator = Authenticator.fromCredentials(this.#byRole);
  }

  /** The first admin token ('' if none): what the status page asks for off loopback. */
  get adminToken(): string {
    return this.#byRole.admin?.[0]?.token ?? '';
  }

  /** How many credentials each role has (for logs; never the tokens). */
  get counts(): Record<string, number> {
    return count(this.#byRole);
  }

  /**
   * Validates `input` and replaces every credential at once: a caller with a removed token is
   * refused from its next call, one with an added token accepted. Throws ValidationError (and
   * keeps the current credentials) when `input` is invalid or empty.
   */
  replace(input: CredentialInput): void {
    const next = resolveCredentials(input);
    this.authenticator.replace(next);
    this.#byRole = next;
  }

  /**
   * A worker token to present to worker `workerId` of `runtime` when its own is not known: the
   * first worker credential whose scope covers the runtime and whose binding covers the id; ''
   * if none.
   */
  workerToken(runtime: string, workerId: string): string {
    const fits = (c: Credential): boolean => (!c.datasets || c.datasets.includes(runtime)) && (!c.workers || c.workers.includes(workerId));
    return (this.#byRole.worker ?? []).find(fits)?.token ?? '';
  }

}

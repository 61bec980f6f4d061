// Turns a presented token into a Principal (role + dataset scope), or refuses it. Only SHA-256
// digests are kept, and a presented token is compared with every one in constant time, so the
// answer's timing does not tell which credential (or which prefix) came close. The master builds
// one from its role files; a worker from its own token plus the verifiers the master hands it
// (digests of the admin and client credentials), which it uses for data-channel HELLOs.
import { createHash, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '@eddy/core';
import type { Credential } from './credential-file.js';
import type { Principal, Role } from './rpc-roles.js';

/** A credential as a digest: what a worker learns from the master (never the token itself). */
export interface Verifier {
  sha256: Buffer;
  role: Role;
  /** undefined = every dataset. */
  datasets: readonly string[] | undefined;
  directUfs: boolean;
  /** A worker credential's worker ids (`workers=`); undefined = any. */
  workers?: readonly string[] | undefined;
}

export type RoleCredentials = Partial<Record<Role, readonly Credential[]>>;

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function verifierOf(role: Role, c: Credential): Verifier {
  return { sha256: digest(c.token), role, datasets: c.datasets, directUfs: c.directUfs === true, workers: c.workers };
}

function principalOf(v: Verifier): Principal {
  return {
    role: v.role, datasets: v.datasets === undefined ? undefined : new Set(v.datasets), directUfs: v.directUfs,
    workers: v.workers === undefined ? undefined : new Set(v.workers),
  };
}

function verifiersOf(byRole: RoleCredentials): Verifier[] {
  const own: Verifier[] = [];
  // Admin first: a token listed under several roles (the deprecated one-token setup) acts as admin.
  for (const role of ['admin', 'worker', 'client'] as const) for (const c of byRole[role] ?? []) own.push(verifierOf(role, c));
  return own;
}

const OPEN: Principal = Object.freeze({ role: 'admin', datasets: undefined, directUfs: true });

export class Authenticator {
  #own: Verifier[];
  #learned: Verifier[] = [];

  private constructor(own: Verifier[]) {
    this.#own = own;
  }

  /** From credentials by role (the master's role files). With none at all, every caller is admin (local tests only). */
  static fromCredentials(byRole: RoleCredentials): Authenticator {
    return new Authenticator(verifiersOf(byRole));
  }

  /**
   * Replaces the own credentials (the master's token files were re-read): calls authenticated from
   * now on use the new set. Emptying a set that was not empty would open every call, so it is refused.
   */
  replace(byRole: RoleCredentials): void {
    const next = verifiersOf(byRole);
    if (next.length === 0 && this.#own.length > 0) throw new ValidationError('the new credentials are empty; keeping the current ones', 'credentials');
    this.#own = next;
  }

  /** True when no credential is configured: every call is accepted as admin. */
  get open(): boolean {
    return this.#own.length === 0 && this.#learned.length === 0;
  }

  /** The principal of `presented`, or undefined when it matches no credential. */
  authenticate(presented: string | undefined): Principal | undefined {
    if (this.open) return OPEN;
    if (presented === undefined || presented === '') return undefined;
    const got = digest(presented);
    let found: Verifier | undefined;
    // Every digest is compared, match or not: the time taken does not depend on which matched.
    for (const v of [...this.#own, ...this.#learned]) {
      if (timingSafeEqual(got, v.sha256) && found === undefined) found = v;
    }
    return found ? principalOf(found) : undefined;
  }

  /** Digests of the credentials of `roles`, for a worker to check data-channel HELLOs. */
  verifiers(roles: readonly Role[]): Verifier[] {
    return this.#own.filter((v) => roles.includes(v.role));
  }

  /** Replaces the verifiers learned from the master (a worker's data channel); its own stay. */
  learn(verifiers: readonly Verifier[]): void {
    this.#learned = verifiers.filter((v) => v.sha256.length === 32);
  }
}

// The credentials the Dataset's master, workers and FUSE clients share, as Kubernetes Secrets the
// operator generates (never ConfigMaps, args, env or status) and mounts as files. Today there is one
// role, "cluster", holding the one token every component presents. Issue 15 (admin, worker and client
// tokens) makes this a Secret per role: add the roles to CREDENTIAL_ROLES and mount each component's
// own Secret; nothing else here changes.
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../kube/kube-api.js';
import { CLUSTER_ROLE, RenderContext, TOKEN_KEY } from './render-context.js';

export const CREDENTIAL_ROLES: readonly string[] = [CLUSTER_ROLE];

/** A fresh token: 32 random bytes, hex. */
export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** The Secret of `role`, keeping `token` (the existing value) so a reconcile never rotates it. */
export function credentialSecret(ctx: RenderContext, role: string, token: string): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Secret',
    metadata: ctx.metadata(ctx.names.credentialSecret(role), 'credentials', ctx.ownedByRuntime(), { 'data.eddy.dev/role': role }),
    type: 'Opaque',
    immutable: true,
    data: { [TOKEN_KEY]: Buffer.from(token).toString('base64') },
  };
}

/** The token held by an existing credential Secret, if it has one. */
export function tokenOf(secret: KubeObject | undefined): string | undefined {
  const data = secret?.['data'];
  const value = data && typeof data === 'object' ? (data as Record<string, unknown>)[TOKEN_KEY] : undefined;
  return typeof value === 'string' && value !== '' ? Buffer.from(value, 'base64').toString('utf8') : undefined;
}

// Who may call what: the one table of roles per control-plane RPC (Master and Worker services)
// and per data-channel request, and the one check against it. wrapService (grpc-edge.ts) applies
// it to every call before the handler runs; the worker's data channel applies it to every frame.
//
//   admin   everything: apply, delete, get, refresh, and all the calls below
//   worker  register and heartbeat (for the runtimes in its scope), its runtimes' mounts with cloud
//           credentials, the master's LoadBlocks/FreeBlocks calls to it (the master presents a
//           worker credential), data-channel reads
//   client  mount and read: stat, list, block locations, mounts (cloud credentials withheld unless
//           granted ufs=direct), version holds of its open files, read reports, get and the worker
//           list (read-only), data-channel reads, and a refresh of its datasets' listing (a downstream
//           region's metadata sync; the master answers a listing younger than its on-demand
//           interval instead of listing again, as for a lookup of an unknown path)
//
// A credential scoped to datasets (credential-file.ts) may only name those datasets; a method
// whose request names none is allowed, and handlers that answer lists filter them (visibleTo).
// A worker credential bound to worker ids (`workers=`) may only name those in RegisterWorker and
// Heartbeat.
import { PermissionDeniedError } from '@eddy/core';

export type Role = 'admin' | 'worker' | 'client';
export const ROLES: readonly Role[] = ['admin', 'worker', 'client'];

/** Who made a call, as the authenticator established it. */
export interface Principal {
  role: Role;
  /** The only datasets this principal may touch; undefined = every dataset. */
  datasets: ReadonlySet<string> | undefined;
  /** A client credential that may receive cloud credentials (direct bucket reads). */
  directUfs: boolean;
  /** The only worker ids a worker credential may act as; undefined = any. */
  workers?: ReadonlySet<string> | undefined;
}

/**
 * Roles a method allows, the datasets a request names (checked against the principal's scope) and
 * the worker ids it acts as (checked against a worker credential's binding).
 */
export interface MethodRule {
  roles: readonly Role[];
  datasets?: (request: never) => readonly string[];
  workers?: (request: never) => readonly string[];
}

export type RoleTable = Readonly<Record<string, MethodRule>>;

const one = (name: string | undefined): string[] => (name ? [name] : []);
type Named = { dataset?: string };
type WorkerNamed = { workerId?: string };

export const MASTER_RPC_ROLES = Object.freeze({
  registerWorker: { roles: ['worker'], datasets: (r: { runtime?: string }) => one(r.runtime), workers: (r: WorkerNamed) => [r.workerId ?? ''] },
  heartbeat: { roles: ['worker'], workers: (r: WorkerNamed) => [r.workerId ?? ''] },
  listWorkers: { roles: ['client', 'worker'], datasets: (r: { runtime?: string }) => one(r.runtime) },
  stat: { roles: ['client'], datasets: (r: Named) => one(r.dataset) },
  list: { roles: ['client'], datasets: (r: Named) => one(r.dataset) },
  getBlockLocations: { roles: ['client'], datasets: (r: Named) => one(r.dataset) },
  getMounts: { roles: ['client', 'worker'], datasets: (r: Named) => one(r.dataset) },
  holdVersions: { roles: ['client'], datasets: (r: Named) => one(r.dataset) },
  refresh: { roles: ['client'], datasets: (r: Named) => one(r.dataset) },
  reportReads: { roles: ['client'], datasets: (r: { reads?: Named[] }) => (r.reads ?? []).flatMap((x) => one(x.dataset)) },
  apply: { roles: [] },
  get: { roles: ['client'] },
  delete: { roles: [] },
} satisfies RoleTable);

type Refs = { blocks?: Named[] };
export const WORKER_RPC_ROLES = Object.freeze({
  loadBlocks: { roles: ['worker'], datasets: (r: Refs) => (r.blocks ?? []).flatMap((b) => one(b.dataset)) },
  freeBlocks: { roles: ['worker'] },
  getStats: { roles: ['worker'] },
} satisfies RoleTable);

type RefFrame = { ref?: Named };
/** Data-channel requests after HELLO, by frame name. */
export const DATA_CHANNEL_ROLES = Object.freeze({
  READ: { roles: ['client', 'worker'], datasets: (r: RefFrame) => one(r.ref?.dataset) },
  LOCAL: { roles: ['client', 'worker'], datasets: (r: RefFrame) => one(r.ref?.dataset) },
  FETCH: { roles: ['client', 'worker'], datasets: (r: RefFrame) => one(r.ref?.dataset) },
  RELEASE: { roles: ['client', 'worker'] },
} satisfies RoleTable);

/** Whether `principal` may see things of `dataset` (lists are filtered with it). */
export function visibleTo(principal: Principal, dataset: string): boolean {
  return principal.role === 'admin' || principal.datasets === undefined || principal.datasets.has(dataset);
}

/**
 * Throws PermissionDeniedError unless `principal` may call `method` of `table` with `request`.
 * Admin may call everything; a method missing from the table is refused (deny by default).
 */
export function authorize(table: RoleTable, method: string, principal: Principal, request: unknown): void {
  const rule = Object.prototype.hasOwnProperty.call(table, method) ? table[method] : undefined;
  if (principal.role === 'admin') return;
  if (!rule) throw new PermissionDeniedError(`${method} is not a known call`);
  if (!rule.roles.includes(principal.role)) {
    const allowed = ['admin', ...rule.roles].join(' or ');
    throw new PermissionDeniedError(`${method} needs the ${allowed} role; this credential has the ${principal.role} role`);
  }
  if (principal.workers !== undefined && rule.workers) {
    for (const id of rule.workers((request ?? {}) as never)) {
      if (!principal.workers.has(id)) {
        throw new PermissionDeniedError(`${method}: this ${principal.role} credential is bound to other worker ids, not ${JSON.stringify(id.slice(0, 256))}`);
      }
    }
  }
  if (principal.datasets === undefined || !rule.datasets) return;
  for (const name of rule.datasets((request ?? {}) as never)) {
    if (!principal.datasets.has(name)) {
      throw new PermissionDeniedError(`${method}: this ${principal.role} credential is not allowed dataset ${JSON.stringify(name.slice(0, 256))}`);
    }
  }
}

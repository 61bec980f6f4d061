// One `eddy get` read: the master's typed Resources of one kind, or its workers (ListWorkers).
import { NotFoundError } from '@eddy/core';
import type { proto } from '@eddy/protocol/rpc';
import { CLI_DEFAULTS } from '../connection/cli-defaults.js';
import type { MasterSession } from '../connection/master-session.js';
import { MASTER_KIND, type ResourceName } from '../resource-kinds.js';

export type KindName = Exclude<ResourceName, 'worker'>;

export type Listing =
  | { resource: 'worker'; items: proto.WorkerStatus__Output[] }
  | { resource: KindName; items: proto.Resource__Output[] };

/** Objects of one resource type (one by name, or all); a missing named one is NotFound. */
export async function fetchListing(
  session: MasterSession, resource: ResourceName, name: string | undefined, signal?: AbortSignal,
): Promise<Listing> {
  const opts = { timeoutMs: CLI_DEFAULTS.rpcTimeoutMs, ...(signal ? { signal } : {}) };
  if (resource === 'worker') {
    const res = await session.rpc.listWorkers({ runtime: '' }, opts);
    const workers = res.workers.filter((w) => !name || w.address?.workerId === name);
    if (name && workers.length === 0) throw new NotFoundError(`worker "${name}" not found`);
    return { resource, items: workers };
  }
  let res;
  try {
    res = await session.rpc.get({ kind: MASTER_KIND[resource], name: name ?? '' }, opts);
  } catch (err) {
    if (name && err instanceof NotFoundError) throw new NotFoundError(`${resource} "${name}" not found`, { cause: err });
    throw err;
  }
  if (name && res.resources.length === 0) throw new NotFoundError(`${resource} "${name}" not found`);
  return { resource, items: res.resources };
}

/** One named object (describe, following a DataLoad). */
export async function fetchResource(
  session: MasterSession, resource: KindName, name: string, signal?: AbortSignal,
): Promise<proto.Resource__Output> {
  const listing = await fetchListing(session, resource, name, signal);
  return listing.items[0] as proto.Resource__Output;
}

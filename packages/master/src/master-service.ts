// The Master gRPC service: request validation at the edge, then MasterCore and its parts. Every handler is
// wrapped by wrapService, which authenticates the caller and checks the role table (@eddy/protocol
// rpc-roles.ts) before the handler runs; handlers that answer lists filter them by the caller's scope.
import type { Logger } from 'pino';
import { PermissionDeniedError, ValidationError } from '@eddy/core';
import { MASTER_RPC_ROLES, TOKEN_METADATA_KEY, visibleTo, wrapService, type Authenticator, type Principal, type proto } from '@eddy/protocol';
import type * as grpc from '@grpc/grpc-js';
import type { MasterCore } from './master-core.js';
import { getResources } from './rpc/get-resources.js';

function need(value: string, field: string): string {
  if (!value) throw new ValidationError(`${field} is required`, field);
  return value;
}

/** The dataset a resource belongs to; undefined for a Secret (only unscoped callers see those). */
function datasetOf(r: proto.Resource): string | undefined {
  if (r.kind === 'Secret') return undefined;
  return r.dataload ? r.dataload.dataset : r.metadata?.name;
}

function resourceVisible(p: Principal, r: proto.Resource): boolean {
  if (p.role === 'admin' || p.datasets === undefined) return true;
  const ds = datasetOf(r);
  return ds !== undefined && visibleTo(p, ds);
}

/**
 * Whether GetMounts hands over the cloud credentials: always to a worker (it reads the bucket), to
 * an admin that asks, and to a client that asks only with a credential granted `ufs=direct`.
 */
function handsOverCredentials(p: Principal, req: proto.GetMountsRequest__Output): boolean {
  if (p.role === 'worker') return true;
  if (!req.withCredentials) return false;
  if (p.role === 'admin' || p.directUfs) return true;
  throw new PermissionDeniedError(`dataset ${req.dataset}: cloud credentials go to clients only with a credential granted ufs=direct; `
    + 'without it the client reads through the workers');
}

/**
 * A worker credential scoped to runtimes heartbeats only workers of those runtimes (the role table
 * checks RegisterWorker's runtime; a heartbeat names only the worker id).
 */
function checkHeartbeatScope(core: MasterCore, p: Principal, workerId: string): void {
  const runtime = core.registry.get(workerId)?.runtime;
  if (p.role !== 'worker' || runtime === undefined || visibleTo(p, runtime)) return;
  throw new PermissionDeniedError(`heartbeat: this worker credential is not allowed runtime ${JSON.stringify(runtime)}`);
}

/** The token a call presented (already authenticated); '' if none. */
function presentedToken(call: grpc.ServerUnaryCall<unknown, unknown>): string {
  const v = call.metadata.get(TOKEN_METADATA_KEY)[0];
  return typeof v === 'string' ? v : '';
}

export function createMasterService(core: MasterCore, authenticator: Authenticator, logger: Logger): grpc.UntypedServiceImplementation {
  // What workers need to check data-channel HELLOs: digests of the admin and client credentials,
  // taken at each reply, so a rotation reaches the workers with their next heartbeat.
  const verifiers = (): proto.CredentialVerifier[] => authenticator.verifiers(['admin', 'client']).map((v) => ({
    sha256: v.sha256, role: v.role, scoped: v.datasets !== undefined, datasets: [...(v.datasets ?? [])],
  }));
  return wrapService({
    registerWorker: async (req: proto.RegisterWorkerRequest__Output, call: grpc.ServerUnaryCall<unknown, unknown>): Promise<proto.RegisterWorkerResponse> =>
      ({ ...core.registerWorker(req, presentedToken(call)), verifiers: verifiers() }),
    heartbeat: async (req: proto.HeartbeatRequest__Output, _call: unknown, p: Principal): Promise<proto.HeartbeatResponse> => {
      need(req.workerId, 'worker_id');
      checkHeartbeatScope(core, p, req.workerId);
      return { ...core.workers.heartbeat(req), verifiers: verifiers() };
    },
    listWorkers: async (req: proto.ListWorkersRequest__Output, _call: unknown, p: Principal): Promise<proto.ListWorkersResponse> =>
      ({ workers: core.workers.list(req.runtime).filter((w) => visibleTo(p, w.runtime ?? '')) }),
    stat: async (req: proto.StatRequest__Output): Promise<proto.StatResponse> => ({ info: await core.datasets.stat(need(req.dataset, 'dataset'), req.path) }),
    list: async (req: proto.ListRequest__Output): Promise<proto.ListResponse> =>
      core.datasets.list(need(req.dataset, 'dataset'), req.path, req.pageToken, req.pageSize, req.locateBlocks, req.subtreeEntries),
    getBlockLocations: async (req: proto.GetBlockLocationsRequest__Output): Promise<proto.GetBlockLocationsResponse> => {
      need(req.dataset, 'dataset');
      need(req.path, 'path');
      return await core.datasets.getBlockLocations(req);
    },
    getMounts: async (req: proto.GetMountsRequest__Output, _call: unknown, p: Principal): Promise<proto.GetMountsResponse> =>
      core.datasets.getMounts(need(req.dataset, 'dataset'), handsOverCredentials(p, req)),
    // A client (a downstream region's master) may not force listings of the bucket back to back.
    refresh: async (req: proto.RefreshRequest__Output, _call: unknown, p: Principal): Promise<proto.RefreshResponse> =>
      core.datasets.refreshCounts(need(req.dataset, 'dataset'), { reuseRecent: p.role !== 'admin' }),
    reportReads: async (req: proto.ReportReadsRequest__Output): Promise<proto.ReportReadsResponse> => {
      core.reportReads(req);
      return {};
    },
    holdVersions: async (req: proto.HoldVersionsRequest__Output): Promise<proto.HoldVersionsResponse> => core.holdVersions(req),
    apply: async (req: proto.ApplyRequest__Output): Promise<proto.ApplyResponse> => {
      const outcomes = await core.apply(need(req.manifests, 'manifests'));
      return { results: outcomes.map((o) => ({ kind: o.kind, name: o.name, action: o.action })) };
    },
    get: async (req: proto.GetRequest__Output, _call: unknown, p: Principal): Promise<proto.GetResponse> =>
      ({ resources: getResources(core, need(req.kind, 'kind'), req.name).filter((r) => resourceVisible(p, r)) }),
    delete: async (req: proto.DeleteRequest__Output): Promise<proto.DeleteResponse> =>
      ({ deleted: await core.delete(need(req.kind, 'kind'), need(req.name, 'name')) }),
  } satisfies Record<keyof typeof MASTER_RPC_ROLES, unknown>, { authenticator, roles: MASTER_RPC_ROLES }, logger);
}

// The Master gRPC service: request validation at the edge, then MasterCore and its parts. Every handler is
// wrapped by wrapService, which enforces the cluster token and maps typed errors to statuses.
import type { Logger } from 'pino';
import { ValidationError } from '@eddy/core';
import { wrapService, type RpcSecurity, type proto } from '@eddy/protocol';
import type * as grpc from '@grpc/grpc-js';
import type { MasterCore } from './master-core.js';
import { getResources } from './rpc/get-resources.js';

function need(value: string, field: string): string {
  if (!value) throw new ValidationError(`${field} is required`, field);
  return value;
}

export function createMasterService(core: MasterCore, security: RpcSecurity, logger: Logger): grpc.UntypedServiceImplementation {
  return wrapService({
    registerWorker: async (req: proto.RegisterWorkerRequest__Output): Promise<proto.RegisterWorkerResponse> => core.workers.register(req),
    heartbeat: async (req: proto.HeartbeatRequest__Output): Promise<proto.HeartbeatResponse> => {
      need(req.workerId, 'worker_id');
      return core.workers.heartbeat(req);
    },
    listWorkers: async (req: proto.ListWorkersRequest__Output): Promise<proto.ListWorkersResponse> => ({ workers: core.workers.list(req.runtime) }),
    stat: async (req: proto.StatRequest__Output): Promise<proto.StatResponse> => ({ info: await core.datasets.stat(need(req.dataset, 'dataset'), req.path) }),
    list: async (req: proto.ListRequest__Output): Promise<proto.ListResponse> =>
      core.datasets.list(need(req.dataset, 'dataset'), req.path, req.pageToken, req.pageSize),
    getBlockLocations: async (req: proto.GetBlockLocationsRequest__Output): Promise<proto.GetBlockLocationsResponse> => {
      need(req.dataset, 'dataset');
      need(req.path, 'path');
      return await core.datasets.getBlockLocations(req);
    },
    getMounts: async (req: proto.GetMountsRequest__Output): Promise<proto.GetMountsResponse> => core.datasets.getMounts(need(req.dataset, 'dataset')),
    refresh: async (req: proto.RefreshRequest__Output): Promise<proto.RefreshResponse> => core.datasets.refreshCounts(need(req.dataset, 'dataset')),
    reportReads: async (req: proto.ReportReadsRequest__Output): Promise<proto.ReportReadsResponse> => {
      core.reportReads(req);
      return {};
    },
    holdVersions: async (req: proto.HoldVersionsRequest__Output): Promise<proto.HoldVersionsResponse> => core.holdVersions(req),
    apply: async (req: proto.ApplyRequest__Output): Promise<proto.ApplyResponse> => {
      const outcomes = await core.apply(need(req.manifests, 'manifests'));
      return { results: outcomes.map((o) => ({ kind: o.kind, name: o.name, action: o.action })) };
    },
    get: async (req: proto.GetRequest__Output): Promise<proto.GetResponse> =>
      ({ resources: getResources(core, need(req.kind, 'kind'), req.name) }),
    delete: async (req: proto.DeleteRequest__Output): Promise<proto.DeleteResponse> =>
      ({ deleted: await core.delete(need(req.kind, 'kind'), need(req.name, 'name')) }),
  }, security, logger);
}

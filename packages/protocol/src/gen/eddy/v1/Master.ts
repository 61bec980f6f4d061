// Original file: proto/eddy/v1/master.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ApplyRequest as _eddy_v1_ApplyRequest, ApplyRequest__Output as _eddy_v1_ApplyRequest__Output } from '../../eddy/v1/ApplyRequest.js';
import type { ApplyResponse as _eddy_v1_ApplyResponse, ApplyResponse__Output as _eddy_v1_ApplyResponse__Output } from '../../eddy/v1/ApplyResponse.js';
import type { DeleteRequest as _eddy_v1_DeleteRequest, DeleteRequest__Output as _eddy_v1_DeleteRequest__Output } from '../../eddy/v1/DeleteRequest.js';
import type { DeleteResponse as _eddy_v1_DeleteResponse, DeleteResponse__Output as _eddy_v1_DeleteResponse__Output } from '../../eddy/v1/DeleteResponse.js';
import type { GetBlockLocationsRequest as _eddy_v1_GetBlockLocationsRequest, GetBlockLocationsRequest__Output as _eddy_v1_GetBlockLocationsRequest__Output } from '../../eddy/v1/GetBlockLocationsRequest.js';
import type { GetBlockLocationsResponse as _eddy_v1_GetBlockLocationsResponse, GetBlockLocationsResponse__Output as _eddy_v1_GetBlockLocationsResponse__Output } from '../../eddy/v1/GetBlockLocationsResponse.js';
import type { GetMountsRequest as _eddy_v1_GetMountsRequest, GetMountsRequest__Output as _eddy_v1_GetMountsRequest__Output } from '../../eddy/v1/GetMountsRequest.js';
import type { GetMountsResponse as _eddy_v1_GetMountsResponse, GetMountsResponse__Output as _eddy_v1_GetMountsResponse__Output } from '../../eddy/v1/GetMountsResponse.js';
import type { GetRequest as _eddy_v1_GetRequest, GetRequest__Output as _eddy_v1_GetRequest__Output } from '../../eddy/v1/GetRequest.js';
import type { GetResponse as _eddy_v1_GetResponse, GetResponse__Output as _eddy_v1_GetResponse__Output } from '../../eddy/v1/GetResponse.js';
import type { HeartbeatRequest as _eddy_v1_HeartbeatRequest, HeartbeatRequest__Output as _eddy_v1_HeartbeatRequest__Output } from '../../eddy/v1/HeartbeatRequest.js';
import type { HeartbeatResponse as _eddy_v1_HeartbeatResponse, HeartbeatResponse__Output as _eddy_v1_HeartbeatResponse__Output } from '../../eddy/v1/HeartbeatResponse.js';
import type { HoldVersionsRequest as _eddy_v1_HoldVersionsRequest, HoldVersionsRequest__Output as _eddy_v1_HoldVersionsRequest__Output } from '../../eddy/v1/HoldVersionsRequest.js';
import type { HoldVersionsResponse as _eddy_v1_HoldVersionsResponse, HoldVersionsResponse__Output as _eddy_v1_HoldVersionsResponse__Output } from '../../eddy/v1/HoldVersionsResponse.js';
import type { ListRequest as _eddy_v1_ListRequest, ListRequest__Output as _eddy_v1_ListRequest__Output } from '../../eddy/v1/ListRequest.js';
import type { ListResponse as _eddy_v1_ListResponse, ListResponse__Output as _eddy_v1_ListResponse__Output } from '../../eddy/v1/ListResponse.js';
import type { ListWorkersRequest as _eddy_v1_ListWorkersRequest, ListWorkersRequest__Output as _eddy_v1_ListWorkersRequest__Output } from '../../eddy/v1/ListWorkersRequest.js';
import type { ListWorkersResponse as _eddy_v1_ListWorkersResponse, ListWorkersResponse__Output as _eddy_v1_ListWorkersResponse__Output } from '../../eddy/v1/ListWorkersResponse.js';
import type { RefreshRequest as _eddy_v1_RefreshRequest, RefreshRequest__Output as _eddy_v1_RefreshRequest__Output } from '../../eddy/v1/RefreshRequest.js';
import type { RefreshResponse as _eddy_v1_RefreshResponse, RefreshResponse__Output as _eddy_v1_RefreshResponse__Output } from '../../eddy/v1/RefreshResponse.js';
import type { RegisterWorkerRequest as _eddy_v1_RegisterWorkerRequest, RegisterWorkerRequest__Output as _eddy_v1_RegisterWorkerRequest__Output } from '../../eddy/v1/RegisterWorkerRequest.js';
import type { RegisterWorkerResponse as _eddy_v1_RegisterWorkerResponse, RegisterWorkerResponse__Output as _eddy_v1_RegisterWorkerResponse__Output } from '../../eddy/v1/RegisterWorkerResponse.js';
import type { ReportReadsRequest as _eddy_v1_ReportReadsRequest, ReportReadsRequest__Output as _eddy_v1_ReportReadsRequest__Output } from '../../eddy/v1/ReportReadsRequest.js';
import type { ReportReadsResponse as _eddy_v1_ReportReadsResponse, ReportReadsResponse__Output as _eddy_v1_ReportReadsResponse__Output } from '../../eddy/v1/ReportReadsResponse.js';
import type { StatRequest as _eddy_v1_StatRequest, StatRequest__Output as _eddy_v1_StatRequest__Output } from '../../eddy/v1/StatRequest.js';
import type { StatResponse as _eddy_v1_StatResponse, StatResponse__Output as _eddy_v1_StatResponse__Output } from '../../eddy/v1/StatResponse.js';

export interface MasterClient extends grpc.Client {
  Apply(argument: _eddy_v1_ApplyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  Apply(argument: _eddy_v1_ApplyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  Apply(argument: _eddy_v1_ApplyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  Apply(argument: _eddy_v1_ApplyRequest, callback: grpc.requestCallback<_eddy_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _eddy_v1_ApplyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _eddy_v1_ApplyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _eddy_v1_ApplyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _eddy_v1_ApplyRequest, callback: grpc.requestCallback<_eddy_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  
  Delete(argument: _eddy_v1_DeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _eddy_v1_DeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _eddy_v1_DeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _eddy_v1_DeleteRequest, callback: grpc.requestCallback<_eddy_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _eddy_v1_DeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _eddy_v1_DeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _eddy_v1_DeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _eddy_v1_DeleteRequest, callback: grpc.requestCallback<_eddy_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  
  Get(argument: _eddy_v1_GetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetResponse__Output>): grpc.ClientUnaryCall;
  Get(argument: _eddy_v1_GetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_GetResponse__Output>): grpc.ClientUnaryCall;
  Get(argument: _eddy_v1_GetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetResponse__Output>): grpc.ClientUnaryCall;
  Get(argument: _eddy_v1_GetRequest, callback: grpc.requestCallback<_eddy_v1_GetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _eddy_v1_GetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _eddy_v1_GetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_GetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _eddy_v1_GetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _eddy_v1_GetRequest, callback: grpc.requestCallback<_eddy_v1_GetResponse__Output>): grpc.ClientUnaryCall;
  
  GetBlockLocations(argument: _eddy_v1_GetBlockLocationsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetBlockLocationsResponse__Output>): grpc.ClientUnaryCall;
  GetBlockLocations(argument: _eddy_v1_GetBlockLocationsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_GetBlockLocationsResponse__Output>): grpc.ClientUnaryCall;
  GetBlockLocations(argument: _eddy_v1_GetBlockLocationsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetBlockLocationsResponse__Output>): grpc.ClientUnaryCall;
  GetBlockLocations(argument: _eddy_v1_GetBlockLocationsRequest, callback: grpc.requestCallback<_eddy_v1_GetBlockLocationsResponse__Output>): grpc.ClientUnaryCall;
  getBlockLocations(argument: _eddy_v1_GetBlockLocationsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetBlockLocationsResponse__Output>): grpc.ClientUnaryCall;
  getBlockLocations(argument: _eddy_v1_GetBlockLocationsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_GetBlockLocationsResponse__Output>): grpc.ClientUnaryCall;
  getBlockLocations(argument: _eddy_v1_GetBlockLocationsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetBlockLocationsResponse__Output>): grpc.ClientUnaryCall;
  getBlockLocations(argument: _eddy_v1_GetBlockLocationsRequest, callback: grpc.requestCallback<_eddy_v1_GetBlockLocationsResponse__Output>): grpc.ClientUnaryCall;
  
  GetMounts(argument: _eddy_v1_GetMountsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetMountsResponse__Output>): grpc.ClientUnaryCall;
  GetMounts(argument: _eddy_v1_GetMountsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_GetMountsResponse__Output>): grpc.ClientUnaryCall;
  GetMounts(argument: _eddy_v1_GetMountsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetMountsResponse__Output>): grpc.ClientUnaryCall;
  GetMounts(argument: _eddy_v1_GetMountsRequest, callback: grpc.requestCallback<_eddy_v1_GetMountsResponse__Output>): grpc.ClientUnaryCall;
  getMounts(argument: _eddy_v1_GetMountsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetMountsResponse__Output>): grpc.ClientUnaryCall;
  getMounts(argument: _eddy_v1_GetMountsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_GetMountsResponse__Output>): grpc.ClientUnaryCall;
  getMounts(argument: _eddy_v1_GetMountsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetMountsResponse__Output>): grpc.ClientUnaryCall;
  getMounts(argument: _eddy_v1_GetMountsRequest, callback: grpc.requestCallback<_eddy_v1_GetMountsResponse__Output>): grpc.ClientUnaryCall;
  
  Heartbeat(argument: _eddy_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _eddy_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _eddy_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _eddy_v1_HeartbeatRequest, callback: grpc.requestCallback<_eddy_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _eddy_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _eddy_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _eddy_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _eddy_v1_HeartbeatRequest, callback: grpc.requestCallback<_eddy_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  
  HoldVersions(argument: _eddy_v1_HoldVersionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_HoldVersionsResponse__Output>): grpc.ClientUnaryCall;
  HoldVersions(argument: _eddy_v1_HoldVersionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_HoldVersionsResponse__Output>): grpc.ClientUnaryCall;
  HoldVersions(argument: _eddy_v1_HoldVersionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_HoldVersionsResponse__Output>): grpc.ClientUnaryCall;
  HoldVersions(argument: _eddy_v1_HoldVersionsRequest, callback: grpc.requestCallback<_eddy_v1_HoldVersionsResponse__Output>): grpc.ClientUnaryCall;
  holdVersions(argument: _eddy_v1_HoldVersionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_HoldVersionsResponse__Output>): grpc.ClientUnaryCall;
  holdVersions(argument: _eddy_v1_HoldVersionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_HoldVersionsResponse__Output>): grpc.ClientUnaryCall;
  holdVersions(argument: _eddy_v1_HoldVersionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_HoldVersionsResponse__Output>): grpc.ClientUnaryCall;
  holdVersions(argument: _eddy_v1_HoldVersionsRequest, callback: grpc.requestCallback<_eddy_v1_HoldVersionsResponse__Output>): grpc.ClientUnaryCall;
  
  List(argument: _eddy_v1_ListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _eddy_v1_ListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _eddy_v1_ListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _eddy_v1_ListRequest, callback: grpc.requestCallback<_eddy_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _eddy_v1_ListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _eddy_v1_ListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _eddy_v1_ListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _eddy_v1_ListRequest, callback: grpc.requestCallback<_eddy_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  
  ListWorkers(argument: _eddy_v1_ListWorkersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  ListWorkers(argument: _eddy_v1_ListWorkersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  ListWorkers(argument: _eddy_v1_ListWorkersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  ListWorkers(argument: _eddy_v1_ListWorkersRequest, callback: grpc.requestCallback<_eddy_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  listWorkers(argument: _eddy_v1_ListWorkersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  listWorkers(argument: _eddy_v1_ListWorkersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  listWorkers(argument: _eddy_v1_ListWorkersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  listWorkers(argument: _eddy_v1_ListWorkersRequest, callback: grpc.requestCallback<_eddy_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  
  Refresh(argument: _eddy_v1_RefreshRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_RefreshResponse__Output>): grpc.ClientUnaryCall;
  Refresh(argument: _eddy_v1_RefreshRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_RefreshResponse__Output>): grpc.ClientUnaryCall;
  Refresh(argument: _eddy_v1_RefreshRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_RefreshResponse__Output>): grpc.ClientUnaryCall;
  Refresh(argument: _eddy_v1_RefreshRequest, callback: grpc.requestCallback<_eddy_v1_RefreshResponse__Output>): grpc.ClientUnaryCall;
  refresh(argument: _eddy_v1_RefreshRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_RefreshResponse__Output>): grpc.ClientUnaryCall;
  refresh(argument: _eddy_v1_RefreshRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_RefreshResponse__Output>): grpc.ClientUnaryCall;
  refresh(argument: _eddy_v1_RefreshRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_RefreshResponse__Output>): grpc.ClientUnaryCall;
  refresh(argument: _eddy_v1_RefreshRequest, callback: grpc.requestCallback<_eddy_v1_RefreshResponse__Output>): grpc.ClientUnaryCall;
  
  RegisterWorker(argument: _eddy_v1_RegisterWorkerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_RegisterWorkerResponse__Output>): grpc.ClientUnaryCall;
  RegisterWorker(argument: _eddy_v1_RegisterWorkerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_RegisterWorkerResponse__Output>): grpc.ClientUnaryCall;
  RegisterWorker(argument: _eddy_v1_RegisterWorkerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_RegisterWorkerResponse__Output>): grpc.ClientUnaryCall;
  RegisterWorker(argument: _eddy_v1_RegisterWorkerRequest, callback: grpc.requestCallback<_eddy_v1_RegisterWorkerResponse__Output>): grpc.ClientUnaryCall;
  registerWorker(argument: _eddy_v1_RegisterWorkerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_RegisterWorkerResponse__Output>): grpc.ClientUnaryCall;
  registerWorker(argument: _eddy_v1_RegisterWorkerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_RegisterWorkerResponse__Output>): grpc.ClientUnaryCall;
  registerWorker(argument: _eddy_v1_RegisterWorkerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_RegisterWorkerResponse__Output>): grpc.ClientUnaryCall;
  registerWorker(argument: _eddy_v1_RegisterWorkerRequest, callback: grpc.requestCallback<_eddy_v1_RegisterWorkerResponse__Output>): grpc.ClientUnaryCall;
  
  ReportReads(argument: _eddy_v1_ReportReadsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ReportReadsResponse__Output>): grpc.ClientUnaryCall;
  ReportReads(argument: _eddy_v1_ReportReadsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ReportReadsResponse__Output>): grpc.ClientUnaryCall;
  ReportReads(argument: _eddy_v1_ReportReadsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ReportReadsResponse__Output>): grpc.ClientUnaryCall;
  ReportReads(argument: _eddy_v1_ReportReadsRequest, callback: grpc.requestCallback<_eddy_v1_ReportReadsResponse__Output>): grpc.ClientUnaryCall;
  reportReads(argument: _eddy_v1_ReportReadsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ReportReadsResponse__Output>): grpc.ClientUnaryCall;
  reportReads(argument: _eddy_v1_ReportReadsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_ReportReadsResponse__Output>): grpc.ClientUnaryCall;
  reportReads(argument: _eddy_v1_ReportReadsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_ReportReadsResponse__Output>): grpc.ClientUnaryCall;
  reportReads(argument: _eddy_v1_ReportReadsRequest, callback: grpc.requestCallback<_eddy_v1_ReportReadsResponse__Output>): grpc.ClientUnaryCall;
  
  Stat(argument: _eddy_v1_StatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_StatResponse__Output>): grpc.ClientUnaryCall;
  Stat(argument: _eddy_v1_StatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_StatResponse__Output>): grpc.ClientUnaryCall;
  Stat(argument: _eddy_v1_StatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_StatResponse__Output>): grpc.ClientUnaryCall;
  Stat(argument: _eddy_v1_StatRequest, callback: grpc.requestCallback<_eddy_v1_StatResponse__Output>): grpc.ClientUnaryCall;
  stat(argument: _eddy_v1_StatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_StatResponse__Output>): grpc.ClientUnaryCall;
  stat(argument: _eddy_v1_StatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_StatResponse__Output>): grpc.ClientUnaryCall;
  stat(argument: _eddy_v1_StatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_StatResponse__Output>): grpc.ClientUnaryCall;
  stat(argument: _eddy_v1_StatRequest, callback: grpc.requestCallback<_eddy_v1_StatResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface MasterHandlers extends grpc.UntypedServiceImplementation {
  Apply: grpc.handleUnaryCall<_eddy_v1_ApplyRequest__Output, _eddy_v1_ApplyResponse>;
  
  Delete: grpc.handleUnaryCall<_eddy_v1_DeleteRequest__Output, _eddy_v1_DeleteResponse>;
  
  Get: grpc.handleUnaryCall<_eddy_v1_GetRequest__Output, _eddy_v1_GetResponse>;
  
  GetBlockLocations: grpc.handleUnaryCall<_eddy_v1_GetBlockLocationsRequest__Output, _eddy_v1_GetBlockLocationsResponse>;
  
  GetMounts: grpc.handleUnaryCall<_eddy_v1_GetMountsRequest__Output, _eddy_v1_GetMountsResponse>;
  
  Heartbeat: grpc.handleUnaryCall<_eddy_v1_HeartbeatRequest__Output, _eddy_v1_HeartbeatResponse>;
  
  HoldVersions: grpc.handleUnaryCall<_eddy_v1_HoldVersionsRequest__Output, _eddy_v1_HoldVersionsResponse>;
  
  List: grpc.handleUnaryCall<_eddy_v1_ListRequest__Output, _eddy_v1_ListResponse>;
  
  ListWorkers: grpc.handleUnaryCall<_eddy_v1_ListWorkersRequest__Output, _eddy_v1_ListWorkersResponse>;
  
  Refresh: grpc.handleUnaryCall<_eddy_v1_RefreshRequest__Output, _eddy_v1_RefreshResponse>;
  
  RegisterWorker: grpc.handleUnaryCall<_eddy_v1_RegisterWorkerRequest__Output, _eddy_v1_RegisterWorkerResponse>;
  
  ReportReads: grpc.handleUnaryCall<_eddy_v1_ReportReadsRequest__Output, _eddy_v1_ReportReadsResponse>;
  
  Stat: grpc.handleUnaryCall<_eddy_v1_StatRequest__Output, _eddy_v1_StatResponse>;
  
}

export interface MasterDefinition extends grpc.ServiceDefinition {
  Apply: MethodDefinition<_eddy_v1_ApplyRequest, _eddy_v1_ApplyResponse, _eddy_v1_ApplyRequest__Output, _eddy_v1_ApplyResponse__Output>
  Delete: MethodDefinition<_eddy_v1_DeleteRequest, _eddy_v1_DeleteResponse, _eddy_v1_DeleteRequest__Output, _eddy_v1_DeleteResponse__Output>
  Get: MethodDefinition<_eddy_v1_GetRequest, _eddy_v1_GetResponse, _eddy_v1_GetRequest__Output, _eddy_v1_GetResponse__Output>
  GetBlockLocations: MethodDefinition<_eddy_v1_GetBlockLocationsRequest, _eddy_v1_GetBlockLocationsResponse, _eddy_v1_GetBlockLocationsRequest__Output, _eddy_v1_GetBlockLocationsResponse__Output>
  GetMounts: MethodDefinition<_eddy_v1_GetMountsRequest, _eddy_v1_GetMountsResponse, _eddy_v1_GetMountsRequest__Output, _eddy_v1_GetMountsResponse__Output>
  Heartbeat: MethodDefinition<_eddy_v1_HeartbeatRequest, _eddy_v1_HeartbeatResponse, _eddy_v1_HeartbeatRequest__Output, _eddy_v1_HeartbeatResponse__Output>
  HoldVersions: MethodDefinition<_eddy_v1_HoldVersionsRequest, _eddy_v1_HoldVersionsResponse, _eddy_v1_HoldVersionsRequest__Output, _eddy_v1_HoldVersionsResponse__Output>
  List: MethodDefinition<_eddy_v1_ListRequest, _eddy_v1_ListResponse, _eddy_v1_ListRequest__Output, _eddy_v1_ListResponse__Output>
  ListWorkers: MethodDefinition<_eddy_v1_ListWorkersRequest, _eddy_v1_ListWorkersResponse, _eddy_v1_ListWorkersRequest__Output, _eddy_v1_ListWorkersResponse__Output>
  Refresh: MethodDefinition<_eddy_v1_RefreshRequest, _eddy_v1_RefreshResponse, _eddy_v1_RefreshRequest__Output, _eddy_v1_RefreshResponse__Output>
  RegisterWorker: MethodDefinition<_eddy_v1_RegisterWorkerRequest, _eddy_v1_RegisterWorkerResponse, _eddy_v1_RegisterWorkerRequest__Output, _eddy_v1_RegisterWorkerResponse__Output>
  ReportReads: MethodDefinition<_eddy_v1_ReportReadsRequest, _eddy_v1_ReportReadsResponse, _eddy_v1_ReportReadsRequest__Output, _eddy_v1_ReportReadsResponse__Output>
  Stat: MethodDefinition<_eddy_v1_StatRequest, _eddy_v1_StatResponse, _eddy_v1_StatRequest__Output, _eddy_v1_StatResponse__Output>
}

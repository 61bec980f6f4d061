// Original file: proto/eddy/v1/worker.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { FreeBlocksRequest as _eddy_v1_FreeBlocksRequest, FreeBlocksRequest__Output as _eddy_v1_FreeBlocksRequest__Output } from '../../eddy/v1/FreeBlocksRequest.js';
import type { FreeBlocksResponse as _eddy_v1_FreeBlocksResponse, FreeBlocksResponse__Output as _eddy_v1_FreeBlocksResponse__Output } from '../../eddy/v1/FreeBlocksResponse.js';
import type { GetStatsRequest as _eddy_v1_GetStatsRequest, GetStatsRequest__Output as _eddy_v1_GetStatsRequest__Output } from '../../eddy/v1/GetStatsRequest.js';
import type { GetStatsResponse as _eddy_v1_GetStatsResponse, GetStatsResponse__Output as _eddy_v1_GetStatsResponse__Output } from '../../eddy/v1/GetStatsResponse.js';
import type { LoadBlocksRequest as _eddy_v1_LoadBlocksRequest, LoadBlocksRequest__Output as _eddy_v1_LoadBlocksRequest__Output } from '../../eddy/v1/LoadBlocksRequest.js';
import type { LoadBlocksResponse as _eddy_v1_LoadBlocksResponse, LoadBlocksResponse__Output as _eddy_v1_LoadBlocksResponse__Output } from '../../eddy/v1/LoadBlocksResponse.js';

export interface WorkerClient extends grpc.Client {
  FreeBlocks(argument: _eddy_v1_FreeBlocksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_FreeBlocksResponse__Output>): grpc.ClientUnaryCall;
  FreeBlocks(argument: _eddy_v1_FreeBlocksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_FreeBlocksResponse__Output>): grpc.ClientUnaryCall;
  FreeBlocks(argument: _eddy_v1_FreeBlocksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_FreeBlocksResponse__Output>): grpc.ClientUnaryCall;
  FreeBlocks(argument: _eddy_v1_FreeBlocksRequest, callback: grpc.requestCallback<_eddy_v1_FreeBlocksResponse__Output>): grpc.ClientUnaryCall;
  freeBlocks(argument: _eddy_v1_FreeBlocksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_FreeBlocksResponse__Output>): grpc.ClientUnaryCall;
  freeBlocks(argument: _eddy_v1_FreeBlocksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_FreeBlocksResponse__Output>): grpc.ClientUnaryCall;
  freeBlocks(argument: _eddy_v1_FreeBlocksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_FreeBlocksResponse__Output>): grpc.ClientUnaryCall;
  freeBlocks(argument: _eddy_v1_FreeBlocksRequest, callback: grpc.requestCallback<_eddy_v1_FreeBlocksResponse__Output>): grpc.ClientUnaryCall;
  
  GetStats(argument: _eddy_v1_GetStatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  GetStats(argument: _eddy_v1_GetStatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  GetStats(argument: _eddy_v1_GetStatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  GetStats(argument: _eddy_v1_GetStatsRequest, callback: grpc.requestCallback<_eddy_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  getStats(argument: _eddy_v1_GetStatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  getStats(argument: _eddy_v1_GetStatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  getStats(argument: _eddy_v1_GetStatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  getStats(argument: _eddy_v1_GetStatsRequest, callback: grpc.requestCallback<_eddy_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  
  LoadBlocks(argument: _eddy_v1_LoadBlocksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_LoadBlocksResponse__Output>): grpc.ClientUnaryCall;
  LoadBlocks(argument: _eddy_v1_LoadBlocksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_LoadBlocksResponse__Output>): grpc.ClientUnaryCall;
  LoadBlocks(argument: _eddy_v1_LoadBlocksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_LoadBlocksResponse__Output>): grpc.ClientUnaryCall;
  LoadBlocks(argument: _eddy_v1_LoadBlocksRequest, callback: grpc.requestCallback<_eddy_v1_LoadBlocksResponse__Output>): grpc.ClientUnaryCall;
  loadBlocks(argument: _eddy_v1_LoadBlocksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_LoadBlocksResponse__Output>): grpc.ClientUnaryCall;
  loadBlocks(argument: _eddy_v1_LoadBlocksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eddy_v1_LoadBlocksResponse__Output>): grpc.ClientUnaryCall;
  loadBlocks(argument: _eddy_v1_LoadBlocksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eddy_v1_LoadBlocksResponse__Output>): grpc.ClientUnaryCall;
  loadBlocks(argument: _eddy_v1_LoadBlocksRequest, callback: grpc.requestCallback<_eddy_v1_LoadBlocksResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface WorkerHandlers extends grpc.UntypedServiceImplementation {
  FreeBlocks: grpc.handleUnaryCall<_eddy_v1_FreeBlocksRequest__Output, _eddy_v1_FreeBlocksResponse>;
  
  GetStats: grpc.handleUnaryCall<_eddy_v1_GetStatsRequest__Output, _eddy_v1_GetStatsResponse>;
  
  LoadBlocks: grpc.handleUnaryCall<_eddy_v1_LoadBlocksRequest__Output, _eddy_v1_LoadBlocksResponse>;
  
}

export interface WorkerDefinition extends grpc.ServiceDefinition {
  FreeBlocks: MethodDefinition<_eddy_v1_FreeBlocksRequest, _eddy_v1_FreeBlocksResponse, _eddy_v1_FreeBlocksRequest__Output, _eddy_v1_FreeBlocksResponse__Output>
  GetStats: MethodDefinition<_eddy_v1_GetStatsRequest, _eddy_v1_GetStatsResponse, _eddy_v1_GetStatsRequest__Output, _eddy_v1_GetStatsResponse__Output>
  LoadBlocks: MethodDefinition<_eddy_v1_LoadBlocksRequest, _eddy_v1_LoadBlocksResponse, _eddy_v1_LoadBlocksRequest__Output, _eddy_v1_LoadBlocksResponse__Output>
}

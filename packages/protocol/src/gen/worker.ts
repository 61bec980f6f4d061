import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { BlockRef as _eddy_v1_BlockRef, BlockRef__Output as _eddy_v1_BlockRef__Output } from './eddy/v1/BlockRef.js';
import type { BlockResult as _eddy_v1_BlockResult, BlockResult__Output as _eddy_v1_BlockResult__Output } from './eddy/v1/BlockResult.js';
import type { FileInfo as _eddy_v1_FileInfo, FileInfo__Output as _eddy_v1_FileInfo__Output } from './eddy/v1/FileInfo.js';
import type { FreeBlocksRequest as _eddy_v1_FreeBlocksRequest, FreeBlocksRequest__Output as _eddy_v1_FreeBlocksRequest__Output } from './eddy/v1/FreeBlocksRequest.js';
import type { FreeBlocksResponse as _eddy_v1_FreeBlocksResponse, FreeBlocksResponse__Output as _eddy_v1_FreeBlocksResponse__Output } from './eddy/v1/FreeBlocksResponse.js';
import type { GetStatsRequest as _eddy_v1_GetStatsRequest, GetStatsRequest__Output as _eddy_v1_GetStatsRequest__Output } from './eddy/v1/GetStatsRequest.js';
import type { GetStatsResponse as _eddy_v1_GetStatsResponse, GetStatsResponse__Output as _eddy_v1_GetStatsResponse__Output } from './eddy/v1/GetStatsResponse.js';
import type { LoadBlocksRequest as _eddy_v1_LoadBlocksRequest, LoadBlocksRequest__Output as _eddy_v1_LoadBlocksRequest__Output } from './eddy/v1/LoadBlocksRequest.js';
import type { LoadBlocksResponse as _eddy_v1_LoadBlocksResponse, LoadBlocksResponse__Output as _eddy_v1_LoadBlocksResponse__Output } from './eddy/v1/LoadBlocksResponse.js';
import type { TierInfo as _eddy_v1_TierInfo, TierInfo__Output as _eddy_v1_TierInfo__Output } from './eddy/v1/TierInfo.js';
import type { WorkerClient as _eddy_v1_WorkerClient, WorkerDefinition as _eddy_v1_WorkerDefinition } from './eddy/v1/Worker.js';
import type { WorkerAddress as _eddy_v1_WorkerAddress, WorkerAddress__Output as _eddy_v1_WorkerAddress__Output } from './eddy/v1/WorkerAddress.js';
import type { WorkerCounters as _eddy_v1_WorkerCounters, WorkerCounters__Output as _eddy_v1_WorkerCounters__Output } from './eddy/v1/WorkerCounters.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  eddy: {
    v1: {
      BlockRef: MessageTypeDefinition<_eddy_v1_BlockRef, _eddy_v1_BlockRef__Output>
      BlockResult: MessageTypeDefinition<_eddy_v1_BlockResult, _eddy_v1_BlockResult__Output>
      FileInfo: MessageTypeDefinition<_eddy_v1_FileInfo, _eddy_v1_FileInfo__Output>
      FreeBlocksRequest: MessageTypeDefinition<_eddy_v1_FreeBlocksRequest, _eddy_v1_FreeBlocksRequest__Output>
      FreeBlocksResponse: MessageTypeDefinition<_eddy_v1_FreeBlocksResponse, _eddy_v1_FreeBlocksResponse__Output>
      GetStatsRequest: MessageTypeDefinition<_eddy_v1_GetStatsRequest, _eddy_v1_GetStatsRequest__Output>
      GetStatsResponse: MessageTypeDefinition<_eddy_v1_GetStatsResponse, _eddy_v1_GetStatsResponse__Output>
      LoadBlocksRequest: MessageTypeDefinition<_eddy_v1_LoadBlocksRequest, _eddy_v1_LoadBlocksRequest__Output>
      LoadBlocksResponse: MessageTypeDefinition<_eddy_v1_LoadBlocksResponse, _eddy_v1_LoadBlocksResponse__Output>
      TierInfo: MessageTypeDefinition<_eddy_v1_TierInfo, _eddy_v1_TierInfo__Output>
      Worker: SubtypeConstructor<typeof grpc.Client, _eddy_v1_WorkerClient> & { service: _eddy_v1_WorkerDefinition }
      WorkerAddress: MessageTypeDefinition<_eddy_v1_WorkerAddress, _eddy_v1_WorkerAddress__Output>
      WorkerCounters: MessageTypeDefinition<_eddy_v1_WorkerCounters, _eddy_v1_WorkerCounters__Output>
    }
  }
}


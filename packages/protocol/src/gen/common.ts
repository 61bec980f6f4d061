import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { BlockRef as _eddy_v1_BlockRef, BlockRef__Output as _eddy_v1_BlockRef__Output } from './eddy/v1/BlockRef.js';
import type { FileInfo as _eddy_v1_FileInfo, FileInfo__Output as _eddy_v1_FileInfo__Output } from './eddy/v1/FileInfo.js';
import type { TierInfo as _eddy_v1_TierInfo, TierInfo__Output as _eddy_v1_TierInfo__Output } from './eddy/v1/TierInfo.js';
import type { WorkerAddress as _eddy_v1_WorkerAddress, WorkerAddress__Output as _eddy_v1_WorkerAddress__Output } from './eddy/v1/WorkerAddress.js';
import type { WorkerCounters as _eddy_v1_WorkerCounters, WorkerCounters__Output as _eddy_v1_WorkerCounters__Output } from './eddy/v1/WorkerCounters.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  eddy: {
    v1: {
      BlockRef: MessageTypeDefinition<_eddy_v1_BlockRef, _eddy_v1_BlockRef__Output>
      FileInfo: MessageTypeDefinition<_eddy_v1_FileInfo, _eddy_v1_FileInfo__Output>
      TierInfo: MessageTypeDefinition<_eddy_v1_TierInfo, _eddy_v1_TierInfo__Output>
      WorkerAddress: MessageTypeDefinition<_eddy_v1_WorkerAddress, _eddy_v1_WorkerAddress__Output>
      WorkerCounters: MessageTypeDefinition<_eddy_v1_WorkerCounters, _eddy_v1_WorkerCounters__Output>
    }
  }
}


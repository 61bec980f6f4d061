// Original file: proto/eddy/v1/worker.proto

import type { BlockRef as _eddy_v1_BlockRef, BlockRef__Output as _eddy_v1_BlockRef__Output } from '../../eddy/v1/BlockRef.js';

export interface LoadBlocksRequest {
  'blocks'?: (_eddy_v1_BlockRef)[];
}

export interface LoadBlocksRequest__Output {
  'blocks': (_eddy_v1_BlockRef__Output)[];
}

// Original file: proto/eddy/v1/worker.proto

import type { BlockResult as _eddy_v1_BlockResult, BlockResult__Output as _eddy_v1_BlockResult__Output } from '../../eddy/v1/BlockResult.js';

export interface LoadBlocksResponse {
  'results'?: (_eddy_v1_BlockResult)[];
}

export interface LoadBlocksResponse__Output {
  'results': (_eddy_v1_BlockResult__Output)[];
}

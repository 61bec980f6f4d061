// Original file: proto/eddy/v1/master.proto

import type { ApplyResult as _eddy_v1_ApplyResult, ApplyResult__Output as _eddy_v1_ApplyResult__Output } from '../../eddy/v1/ApplyResult.js';

export interface ApplyResponse {
  'results'?: (_eddy_v1_ApplyResult)[];
}

export interface ApplyResponse__Output {
  'results': (_eddy_v1_ApplyResult__Output)[];
}

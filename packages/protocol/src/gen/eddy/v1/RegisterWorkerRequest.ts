// Original file: proto/eddy/v1/master.proto

import type { WorkerAddress as _eddy_v1_WorkerAddress, WorkerAddress__Output as _eddy_v1_WorkerAddress__Output } from '../../eddy/v1/WorkerAddress.js';
import type { TierInfo as _eddy_v1_TierInfo, TierInfo__Output as _eddy_v1_TierInfo__Output } from '../../eddy/v1/TierInfo.js';

export interface RegisterWorkerRequest {
  'workerId'?: (string);
  'runtime'?: (string);
  'address'?: (_eddy_v1_WorkerAddress | null);
  'tiers'?: (_eddy_v1_TierInfo)[];
  'blockKeys'?: (string)[];
}

export interface RegisterWorkerRequest__Output {
  'workerId': (string);
  'runtime': (string);
  'address': (_eddy_v1_WorkerAddress__Output | null);
  'tiers': (_eddy_v1_TierInfo__Output)[];
  'blockKeys': (string)[];
}

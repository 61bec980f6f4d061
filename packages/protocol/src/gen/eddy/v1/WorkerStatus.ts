// Original file: proto/eddy/v1/master.proto

import type { WorkerAddress as _eddy_v1_WorkerAddress, WorkerAddress__Output as _eddy_v1_WorkerAddress__Output } from '../../eddy/v1/WorkerAddress.js';
import type { TierInfo as _eddy_v1_TierInfo, TierInfo__Output as _eddy_v1_TierInfo__Output } from '../../eddy/v1/TierInfo.js';
import type { WorkerCounters as _eddy_v1_WorkerCounters, WorkerCounters__Output as _eddy_v1_WorkerCounters__Output } from '../../eddy/v1/WorkerCounters.js';
import type { Long } from '@grpc/proto-loader';

export interface WorkerStatus {
  'address'?: (_eddy_v1_WorkerAddress | null);
  'runtime'?: (string);
  'tiers'?: (_eddy_v1_TierInfo)[];
  'blockCount'?: (number | string | Long);
  'lastHeartbeatMs'?: (number | string | Long);
  'live'?: (boolean);
  'counters'?: (_eddy_v1_WorkerCounters | null);
}

export interface WorkerStatus__Output {
  'address': (_eddy_v1_WorkerAddress__Output | null);
  'runtime': (string);
  'tiers': (_eddy_v1_TierInfo__Output)[];
  'blockCount': (number);
  'lastHeartbeatMs': (number);
  'live': (boolean);
  'counters': (_eddy_v1_WorkerCounters__Output | null);
}

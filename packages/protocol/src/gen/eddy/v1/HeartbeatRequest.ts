// Original file: proto/eddy/v1/master.proto

import type { TierInfo as _eddy_v1_TierInfo, TierInfo__Output as _eddy_v1_TierInfo__Output } from '../../eddy/v1/TierInfo.js';
import type { WorkerCounters as _eddy_v1_WorkerCounters, WorkerCounters__Output as _eddy_v1_WorkerCounters__Output } from '../../eddy/v1/WorkerCounters.js';

export interface HeartbeatRequest {
  'workerId'?: (string);
  'added'?: (string)[];
  'removed'?: (string)[];
  'tiers'?: (_eddy_v1_TierInfo)[];
  'counters'?: (_eddy_v1_WorkerCounters | null);
}

export interface HeartbeatRequest__Output {
  'workerId': (string);
  'added': (string)[];
  'removed': (string)[];
  'tiers': (_eddy_v1_TierInfo__Output)[];
  'counters': (_eddy_v1_WorkerCounters__Output | null);
}

// Original file: proto/eddy/v1/worker.proto

import type { TierInfo as _eddy_v1_TierInfo, TierInfo__Output as _eddy_v1_TierInfo__Output } from '../../eddy/v1/TierInfo.js';
import type { WorkerCounters as _eddy_v1_WorkerCounters, WorkerCounters__Output as _eddy_v1_WorkerCounters__Output } from '../../eddy/v1/WorkerCounters.js';
import type { Long } from '@grpc/proto-loader';

export interface GetStatsResponse {
  'tiers'?: (_eddy_v1_TierInfo)[];
  'blockCount'?: (number | string | Long);
  'counters'?: (_eddy_v1_WorkerCounters | null);
}

export interface GetStatsResponse__Output {
  'tiers': (_eddy_v1_TierInfo__Output)[];
  'blockCount': (number);
  'counters': (_eddy_v1_WorkerCounters__Output | null);
}

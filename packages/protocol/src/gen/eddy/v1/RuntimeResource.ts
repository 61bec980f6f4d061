// Original file: proto/eddy/v1/master.proto

import type { TierInfo as _eddy_v1_TierInfo, TierInfo__Output as _eddy_v1_TierInfo__Output } from '../../eddy/v1/TierInfo.js';
import type { RuntimeStatus as _eddy_v1_RuntimeStatus, RuntimeStatus__Output as _eddy_v1_RuntimeStatus__Output } from '../../eddy/v1/RuntimeStatus.js';
import type { Long } from '@grpc/proto-loader';

export interface RuntimeResource {
  'replicas'?: (number);
  'tiers'?: (_eddy_v1_TierInfo)[];
  'fuseArgs'?: (string)[];
  'blockSize'?: (number | string | Long);
  'status'?: (_eddy_v1_RuntimeStatus | null);
}

export interface RuntimeResource__Output {
  'replicas': (number);
  'tiers': (_eddy_v1_TierInfo__Output)[];
  'fuseArgs': (string)[];
  'blockSize': (number);
  'status': (_eddy_v1_RuntimeStatus__Output | null);
}

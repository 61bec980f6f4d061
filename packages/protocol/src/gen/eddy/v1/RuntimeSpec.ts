// Original file: proto/eddy/v1/master.proto

import type { TierInfo as _eddy_v1_TierInfo, TierInfo__Output as _eddy_v1_TierInfo__Output } from '../../eddy/v1/TierInfo.js';
import type { Long } from '@grpc/proto-loader';

export interface RuntimeSpec {
  'tiers'?: (_eddy_v1_TierInfo)[];
  'blockSize'?: (number | string | Long);
}

export interface RuntimeSpec__Output {
  'tiers': (_eddy_v1_TierInfo__Output)[];
  'blockSize': (number);
}

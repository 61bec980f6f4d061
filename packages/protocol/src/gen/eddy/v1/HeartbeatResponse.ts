// Original file: proto/eddy/v1/master.proto

import type { BlockRef as _eddy_v1_BlockRef, BlockRef__Output as _eddy_v1_BlockRef__Output } from '../../eddy/v1/BlockRef.js';

export interface HeartbeatResponse {
  'load'?: (_eddy_v1_BlockRef)[];
  'free'?: (string)[];
  'reregister'?: (boolean);
}

export interface HeartbeatResponse__Output {
  'load': (_eddy_v1_BlockRef__Output)[];
  'free': (string)[];
  'reregister': (boolean);
}

// Original file: proto/eddy/v1/master.proto

import type { Long } from '@grpc/proto-loader';

export interface Condition {
  'type'?: (string);
  'status'?: (string);
  'reason'?: (string);
  'message'?: (string);
  'lastProbeTimeMs'?: (number | string | Long);
  'lastTransitionTimeMs'?: (number | string | Long);
}

export interface Condition__Output {
  'type': (string);
  'status': (string);
  'reason': (string);
  'message': (string);
  'lastProbeTimeMs': (number);
  'lastTransitionTimeMs': (number);
}

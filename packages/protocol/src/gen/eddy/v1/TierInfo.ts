// Original file: proto/eddy/v1/common.proto

import type { Long } from '@grpc/proto-loader';

export interface TierInfo {
  'medium'?: (string);
  'path'?: (string);
  'quotaBytes'?: (number | string | Long);
  'usedBytes'?: (number | string | Long);
  'high'?: (number | string);
  'low'?: (number | string);
}

export interface TierInfo__Output {
  'medium': (string);
  'path': (string);
  'quotaBytes': (number);
  'usedBytes': (number);
  'high': (number);
  'low': (number);
}

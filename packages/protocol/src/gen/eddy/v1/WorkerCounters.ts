// Original file: proto/eddy/v1/common.proto

import type { Long } from '@grpc/proto-loader';

export interface WorkerCounters {
  'hits'?: (number | string | Long);
  'misses'?: (number | string | Long);
  'bytesServed'?: (number | string | Long);
  'ufsBytesRead'?: (number | string | Long);
}

export interface WorkerCounters__Output {
  'hits': (number);
  'misses': (number);
  'bytesServed': (number);
  'ufsBytesRead': (number);
}

// Original file: proto/eddy/v1/master.proto

import type { Long } from '@grpc/proto-loader';

export interface RuntimeStatus {
  'desiredWorkers'?: (number);
  'liveWorkers'?: (number);
  'workers'?: (string)[];
  'cacheCapacityBytes'?: (number | string | Long);
}

export interface RuntimeStatus__Output {
  'desiredWorkers': (number);
  'liveWorkers': (number);
  'workers': (string)[];
  'cacheCapacityBytes': (number);
}

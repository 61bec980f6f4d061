// Original file: proto/eddy/v1/master.proto

import type { Long } from '@grpc/proto-loader';

export interface ReadReport {
  'dataset'?: (string);
  'localBytes'?: (number | string | Long);
  'remoteBytes'?: (number | string | Long);
  'ufsBytes'?: (number | string | Long);
}

export interface ReadReport__Output {
  'dataset': (string);
  'localBytes': (number);
  'remoteBytes': (number);
  'ufsBytes': (number);
}

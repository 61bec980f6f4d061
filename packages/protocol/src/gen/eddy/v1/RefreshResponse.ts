// Original file: proto/eddy/v1/master.proto

import type { Long } from '@grpc/proto-loader';

export interface RefreshResponse {
  'files'?: (number | string | Long);
  'bytes'?: (number | string | Long);
}

export interface RefreshResponse__Output {
  'files': (number);
  'bytes': (number);
}

// Original file: proto/eddy/v1/master.proto

import type { Long } from '@grpc/proto-loader';

export interface GetBlockLocationsRequest {
  'dataset'?: (string);
  'path'?: (string);
  'version'?: (string);
  'offset'?: (number | string | Long);
  'length'?: (number | string | Long);
  'size'?: (number | string | Long);
}

export interface GetBlockLocationsRequest__Output {
  'dataset': (string);
  'path': (string);
  'version': (string);
  'offset': (number);
  'length': (number);
  'size': (number);
}

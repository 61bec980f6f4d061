// Original file: proto/eddy/v1/worker.proto

import type { Long } from '@grpc/proto-loader';

export interface BlockResult {
  'key'?: (string);
  'ok'?: (boolean);
  'errorCode'?: (string);
  'errorMessage'?: (string);
  'bytesFetched'?: (number | string | Long);
}

export interface BlockResult__Output {
  'key': (string);
  'ok': (boolean);
  'errorCode': (string);
  'errorMessage': (string);
  'bytesFetched': (number);
}

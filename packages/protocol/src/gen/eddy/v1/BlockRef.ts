// Original file: proto/eddy/v1/common.proto

import type { Long } from '@grpc/proto-loader';

export interface BlockRef {
  'key'?: (string);
  'dataset'?: (string);
  'path'?: (string);
  'version'?: (string);
  'index'?: (number);
  'blockSize'?: (number | string | Long);
  'fileSize'?: (number | string | Long);
  'versionId'?: (string);
}

export interface BlockRef__Output {
  'key': (string);
  'dataset': (string);
  'path': (string);
  'version': (string);
  'index': (number);
  'blockSize': (number);
  'fileSize': (number);
  'versionId': (string);
}

// Original file: proto/eddy/v1/common.proto

import type { Long } from '@grpc/proto-loader';

export interface FileInfo {
  'path'?: (string);
  'size'?: (number | string | Long);
  'version'?: (string);
  'mtimeMs'?: (number | string | Long);
  'isDir'?: (boolean);
  'versionId'?: (string);
}

export interface FileInfo__Output {
  'path': (string);
  'size': (number);
  'version': (string);
  'mtimeMs': (number);
  'isDir': (boolean);
  'versionId': (string);
}

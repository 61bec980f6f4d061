// Original file: proto/eddy/v1/master.proto

import type { Long } from '@grpc/proto-loader';

export interface ObjectMeta {
  'name'?: (string);
  'namespace'?: (string);
  'labels'?: ({[key: string]: string});
  'annotations'?: ({[key: string]: string});
  'creationTimeMs'?: (number | string | Long);
}

export interface ObjectMeta__Output {
  'name': (string);
  'namespace': (string);
  'labels': ({[key: string]: string});
  'annotations': ({[key: string]: string});
  'creationTimeMs': (number);
}

// Original file: proto/eddy/v1/master.proto

import type { Long } from '@grpc/proto-loader';

export interface DataLoadRun {
  'startMs'?: (number | string | Long);
  'endMs'?: (number | string | Long);
  'phase'?: (string);
  'bytes'?: (number | string | Long);
  'skippedTicks'?: (number);
  'message'?: (string);
}

export interface DataLoadRun__Output {
  'startMs': (number);
  'endMs': (number);
  'phase': (string);
  'bytes': (number);
  'skippedTicks': (number);
  'message': (string);
}

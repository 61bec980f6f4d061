// Original file: proto/eddy/v1/master.proto

import type { Long } from '@grpc/proto-loader';

export interface DataLoadProgress {
  'filesDone'?: (number | string | Long);
  'filesTotal'?: (number | string | Long);
  'bytesDone'?: (number | string | Long);
  'bytesTotal'?: (number | string | Long);
  'bytesFetched'?: (number | string | Long);
}

export interface DataLoadProgress__Output {
  'filesDone': (number);
  'filesTotal': (number);
  'bytesDone': (number);
  'bytesTotal': (number);
  'bytesFetched': (number);
}

// Original file: proto/eddy/v1/master.proto

import type { WorkerAddress as _eddy_v1_WorkerAddress, WorkerAddress__Output as _eddy_v1_WorkerAddress__Output } from '../../eddy/v1/WorkerAddress.js';
import type { Long } from '@grpc/proto-loader';

export interface BlockLocation {
  'index'?: (number);
  'key'?: (string);
  'length'?: (number | string | Long);
  'holders'?: (_eddy_v1_WorkerAddress)[];
  'preferred'?: (_eddy_v1_WorkerAddress | null);
}

export interface BlockLocation__Output {
  'index': (number);
  'key': (string);
  'length': (number);
  'holders': (_eddy_v1_WorkerAddress__Output)[];
  'preferred': (_eddy_v1_WorkerAddress__Output | null);
}

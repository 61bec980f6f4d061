// Original file: proto/eddy/v1/master.proto

import type { WorkerStatus as _eddy_v1_WorkerStatus, WorkerStatus__Output as _eddy_v1_WorkerStatus__Output } from '../../eddy/v1/WorkerStatus.js';

export interface ListWorkersResponse {
  'workers'?: (_eddy_v1_WorkerStatus)[];
}

export interface ListWorkersResponse__Output {
  'workers': (_eddy_v1_WorkerStatus__Output)[];
}

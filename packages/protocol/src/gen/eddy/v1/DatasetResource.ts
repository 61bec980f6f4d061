// Original file: proto/eddy/v1/master.proto

import type { DatasetMount as _eddy_v1_DatasetMount, DatasetMount__Output as _eddy_v1_DatasetMount__Output } from '../../eddy/v1/DatasetMount.js';
import type { DatasetStatus as _eddy_v1_DatasetStatus, DatasetStatus__Output as _eddy_v1_DatasetStatus__Output } from '../../eddy/v1/DatasetStatus.js';

export interface DatasetResource {
  'mounts'?: (_eddy_v1_DatasetMount)[];
  'accessModes'?: (string)[];
  'accessMode'?: (string);
  'status'?: (_eddy_v1_DatasetStatus | null);
}

export interface DatasetResource__Output {
  'mounts': (_eddy_v1_DatasetMount__Output)[];
  'accessModes': (string)[];
  'accessMode': (string);
  'status': (_eddy_v1_DatasetStatus__Output | null);
}

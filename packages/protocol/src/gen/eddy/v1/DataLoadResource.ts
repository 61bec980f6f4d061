// Original file: proto/eddy/v1/master.proto

import type { DataLoadTarget as _eddy_v1_DataLoadTarget, DataLoadTarget__Output as _eddy_v1_DataLoadTarget__Output } from '../../eddy/v1/DataLoadTarget.js';
import type { DataLoadStatus as _eddy_v1_DataLoadStatus, DataLoadStatus__Output as _eddy_v1_DataLoadStatus__Output } from '../../eddy/v1/DataLoadStatus.js';

export interface DataLoadResource {
  'dataset'?: (string);
  'datasetNamespace'?: (string);
  'policy'?: (string);
  'schedule'?: (string);
  'loadMetadata'?: (boolean);
  'target'?: (_eddy_v1_DataLoadTarget)[];
  'ttlSecondsAfterFinished'?: (number);
  'status'?: (_eddy_v1_DataLoadStatus | null);
  '_ttlSecondsAfterFinished'?: "ttlSecondsAfterFinished";
}

export interface DataLoadResource__Output {
  'dataset': (string);
  'datasetNamespace': (string);
  'policy': (string);
  'schedule': (string);
  'loadMetadata': (boolean);
  'target': (_eddy_v1_DataLoadTarget__Output)[];
  'ttlSecondsAfterFinished'?: (number);
  'status': (_eddy_v1_DataLoadStatus__Output | null);
  '_ttlSecondsAfterFinished'?: "ttlSecondsAfterFinished";
}

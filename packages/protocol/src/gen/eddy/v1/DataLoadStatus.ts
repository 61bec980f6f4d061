// Original file: proto/eddy/v1/master.proto

import type { Condition as _eddy_v1_Condition, Condition__Output as _eddy_v1_Condition__Output } from '../../eddy/v1/Condition.js';
import type { DataLoadProgress as _eddy_v1_DataLoadProgress, DataLoadProgress__Output as _eddy_v1_DataLoadProgress__Output } from '../../eddy/v1/DataLoadProgress.js';
import type { DataLoadFailedFile as _eddy_v1_DataLoadFailedFile, DataLoadFailedFile__Output as _eddy_v1_DataLoadFailedFile__Output } from '../../eddy/v1/DataLoadFailedFile.js';
import type { DataLoadRun as _eddy_v1_DataLoadRun, DataLoadRun__Output as _eddy_v1_DataLoadRun__Output } from '../../eddy/v1/DataLoadRun.js';
import type { Long } from '@grpc/proto-loader';

export interface DataLoadStatus {
  'phase'?: (string);
  'duration'?: (string);
  'durationMs'?: (number | string | Long);
  'conditions'?: (_eddy_v1_Condition)[];
  'lastScheduleTimeMs'?: (number | string | Long);
  'lastSuccessfulTimeMs'?: (number | string | Long);
  'progress'?: (_eddy_v1_DataLoadProgress | null);
  'failedFiles'?: (_eddy_v1_DataLoadFailedFile)[];
  'runs'?: (_eddy_v1_DataLoadRun)[];
  'skippedTicks'?: (number);
}

export interface DataLoadStatus__Output {
  'phase': (string);
  'duration': (string);
  'durationMs': (number);
  'conditions': (_eddy_v1_Condition__Output)[];
  'lastScheduleTimeMs': (number);
  'lastSuccessfulTimeMs': (number);
  'progress': (_eddy_v1_DataLoadProgress__Output | null);
  'failedFiles': (_eddy_v1_DataLoadFailedFile__Output)[];
  'runs': (_eddy_v1_DataLoadRun__Output)[];
  'skippedTicks': (number);
}

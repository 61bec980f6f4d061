// Original file: proto/eddy/v1/master.proto

import type { ReadReport as _eddy_v1_ReadReport, ReadReport__Output as _eddy_v1_ReadReport__Output } from '../../eddy/v1/ReadReport.js';

export interface ReportReadsRequest {
  'clientId'?: (string);
  'reads'?: (_eddy_v1_ReadReport)[];
}

export interface ReportReadsRequest__Output {
  'clientId': (string);
  'reads': (_eddy_v1_ReadReport__Output)[];
}

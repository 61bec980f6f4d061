// Original file: proto/eddy/v1/master.proto

import type { FileInfo as _eddy_v1_FileInfo, FileInfo__Output as _eddy_v1_FileInfo__Output } from '../../eddy/v1/FileInfo.js';

export interface HoldVersionsRequest {
  'dataset'?: (string);
  'clientId'?: (string);
  'files'?: (_eddy_v1_FileInfo)[];
}

export interface HoldVersionsRequest__Output {
  'dataset': (string);
  'clientId': (string);
  'files': (_eddy_v1_FileInfo__Output)[];
}

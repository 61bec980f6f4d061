// Original file: proto/eddy/v1/master.proto

import type { FileInfo as _eddy_v1_FileInfo, FileInfo__Output as _eddy_v1_FileInfo__Output } from '../../eddy/v1/FileInfo.js';

export interface StatResponse {
  'info'?: (_eddy_v1_FileInfo | null);
}

export interface StatResponse__Output {
  'info': (_eddy_v1_FileInfo__Output | null);
}

// Original file: proto/eddy/v1/master.proto

import type { FileInfo as _eddy_v1_FileInfo, FileInfo__Output as _eddy_v1_FileInfo__Output } from '../../eddy/v1/FileInfo.js';

export interface ListResponse {
  'entries'?: (_eddy_v1_FileInfo)[];
  'nextPageToken'?: (string);
}

export interface ListResponse__Output {
  'entries': (_eddy_v1_FileInfo__Output)[];
  'nextPageToken': (string);
}

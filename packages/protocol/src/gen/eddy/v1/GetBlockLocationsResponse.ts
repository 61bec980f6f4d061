// Original file: proto/eddy/v1/master.proto

import type { FileInfo as _eddy_v1_FileInfo, FileInfo__Output as _eddy_v1_FileInfo__Output } from '../../eddy/v1/FileInfo.js';
import type { BlockLocation as _eddy_v1_BlockLocation, BlockLocation__Output as _eddy_v1_BlockLocation__Output } from '../../eddy/v1/BlockLocation.js';
import type { Long } from '@grpc/proto-loader';

export interface GetBlockLocationsResponse {
  'info'?: (_eddy_v1_FileInfo | null);
  'blockSize'?: (number | string | Long);
  'blocks'?: (_eddy_v1_BlockLocation)[];
}

export interface GetBlockLocationsResponse__Output {
  'info': (_eddy_v1_FileInfo__Output | null);
  'blockSize': (number);
  'blocks': (_eddy_v1_BlockLocation__Output)[];
}

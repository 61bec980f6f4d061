// Original file: proto/eddy/v1/master.proto

import type { FileInfo as _eddy_v1_FileInfo, FileInfo__Output as _eddy_v1_FileInfo__Output } from '../../eddy/v1/FileInfo.js';
import type { ListedBlocks as _eddy_v1_ListedBlocks, ListedBlocks__Output as _eddy_v1_ListedBlocks__Output } from '../../eddy/v1/ListedBlocks.js';
import type { ListedDir as _eddy_v1_ListedDir, ListedDir__Output as _eddy_v1_ListedDir__Output } from '../../eddy/v1/ListedDir.js';
import type { Long } from '@grpc/proto-loader';

export interface ListResponse {
  'entries'?: (_eddy_v1_FileInfo)[];
  'nextPageToken'?: (string);
  'located'?: (_eddy_v1_ListedBlocks)[];
  'blockSize'?: (number | string | Long);
  'subdirs'?: (_eddy_v1_ListedDir)[];
}

export interface ListResponse__Output {
  'entries': (_eddy_v1_FileInfo__Output)[];
  'nextPageToken': (string);
  'located': (_eddy_v1_ListedBlocks__Output)[];
  'blockSize': (number);
  'subdirs': (_eddy_v1_ListedDir__Output)[];
}

// Original file: proto/eddy/v1/master.proto

import type { FileInfo as _eddy_v1_FileInfo, FileInfo__Output as _eddy_v1_FileInfo__Output } from '../../eddy/v1/FileInfo.js';
import type { ListedBlocks as _eddy_v1_ListedBlocks, ListedBlocks__Output as _eddy_v1_ListedBlocks__Output } from '../../eddy/v1/ListedBlocks.js';

export interface ListedDir {
  'path'?: (string);
  'entries'?: (_eddy_v1_FileInfo)[];
  'located'?: (_eddy_v1_ListedBlocks)[];
}

export interface ListedDir__Output {
  'path': (string);
  'entries': (_eddy_v1_FileInfo__Output)[];
  'located': (_eddy_v1_ListedBlocks__Output)[];
}

// Original file: proto/eddy/v1/master.proto

import type { BlockLocation as _eddy_v1_BlockLocation, BlockLocation__Output as _eddy_v1_BlockLocation__Output } from '../../eddy/v1/BlockLocation.js';

export interface ListedBlocks {
  'path'?: (string);
  'blocks'?: (_eddy_v1_BlockLocation)[];
}

export interface ListedBlocks__Output {
  'path': (string);
  'blocks': (_eddy_v1_BlockLocation__Output)[];
}

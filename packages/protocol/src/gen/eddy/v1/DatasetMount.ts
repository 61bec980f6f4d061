// Original file: proto/eddy/v1/master.proto

import type { EncryptOption as _eddy_v1_EncryptOption, EncryptOption__Output as _eddy_v1_EncryptOption__Output } from '../../eddy/v1/EncryptOption.js';

export interface DatasetMount {
  'mountPoint'?: (string);
  'name'?: (string);
  'path'?: (string);
  'options'?: ({[key: string]: string});
  'encryptOptions'?: (_eddy_v1_EncryptOption)[];
}

export interface DatasetMount__Output {
  'mountPoint': (string);
  'name': (string);
  'path': (string);
  'options': ({[key: string]: string});
  'encryptOptions': (_eddy_v1_EncryptOption__Output)[];
}

// Original file: proto/eddy/v1/master.proto

import type { MountSpec as _eddy_v1_MountSpec, MountSpec__Output as _eddy_v1_MountSpec__Output } from '../../eddy/v1/MountSpec.js';
import type { Long } from '@grpc/proto-loader';

export interface GetMountsResponse {
  'mounts'?: (_eddy_v1_MountSpec)[];
  'runtime'?: (string);
  'blockSize'?: (number | string | Long);
  'accessMode'?: (string);
  'fuseArgs'?: (string)[];
  'credentialsWithheld'?: (boolean);
}

export interface GetMountsResponse__Output {
  'mounts': (_eddy_v1_MountSpec__Output)[];
  'runtime': (string);
  'blockSize': (number);
  'accessMode': (string);
  'fuseArgs': (string)[];
  'credentialsWithheld': (boolean);
}

// Original file: proto/eddy/v1/master.proto

import type { Resource as _eddy_v1_Resource, Resource__Output as _eddy_v1_Resource__Output } from '../../eddy/v1/Resource.js';

export interface GetResponse {
  'resources'?: (_eddy_v1_Resource)[];
}

export interface GetResponse__Output {
  'resources': (_eddy_v1_Resource__Output)[];
}

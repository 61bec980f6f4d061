// Original file: proto/eddy/v1/master.proto

import type { ObjectMeta as _eddy_v1_ObjectMeta, ObjectMeta__Output as _eddy_v1_ObjectMeta__Output } from '../../eddy/v1/ObjectMeta.js';
import type { DatasetResource as _eddy_v1_DatasetResource, DatasetResource__Output as _eddy_v1_DatasetResource__Output } from '../../eddy/v1/DatasetResource.js';
import type { RuntimeResource as _eddy_v1_RuntimeResource, RuntimeResource__Output as _eddy_v1_RuntimeResource__Output } from '../../eddy/v1/RuntimeResource.js';
import type { DataLoadResource as _eddy_v1_DataLoadResource, DataLoadResource__Output as _eddy_v1_DataLoadResource__Output } from '../../eddy/v1/DataLoadResource.js';
import type { SecretResource as _eddy_v1_SecretResource, SecretResource__Output as _eddy_v1_SecretResource__Output } from '../../eddy/v1/SecretResource.js';

export interface Resource {
  'apiVersion'?: (string);
  'kind'?: (string);
  'metadata'?: (_eddy_v1_ObjectMeta | null);
  'dataset'?: (_eddy_v1_DatasetResource | null);
  'runtime'?: (_eddy_v1_RuntimeResource | null);
  'dataload'?: (_eddy_v1_DataLoadResource | null);
  'secret'?: (_eddy_v1_SecretResource | null);
  'object'?: "dataset"|"runtime"|"dataload"|"secret";
}

export interface Resource__Output {
  'apiVersion': (string);
  'kind': (string);
  'metadata': (_eddy_v1_ObjectMeta__Output | null);
  'dataset'?: (_eddy_v1_DatasetResource__Output | null);
  'runtime'?: (_eddy_v1_RuntimeResource__Output | null);
  'dataload'?: (_eddy_v1_DataLoadResource__Output | null);
  'secret'?: (_eddy_v1_SecretResource__Output | null);
  'object'?: "dataset"|"runtime"|"dataload"|"secret";
}

// Original file: proto/eddy/v1/master.proto


export interface RefreshRequest {
  'dataset'?: (string);
}

export interface RefreshRequest__Output {
  'dataset': (string);
}

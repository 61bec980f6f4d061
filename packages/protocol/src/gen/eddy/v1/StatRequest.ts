// Original file: proto/eddy/v1/master.proto


export interface StatRequest {
  'dataset'?: (string);
  'path'?: (string);
}

export interface StatRequest__Output {
  'dataset': (string);
  'path': (string);
}

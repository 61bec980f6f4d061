// Original file: proto/eddy/v1/master.proto


export interface DeleteRequest {
  'kind'?: (string);
  'name'?: (string);
}

export interface DeleteRequest__Output {
  'kind': (string);
  'name': (string);
}

// Original file: proto/eddy/v1/master.proto


export interface GetRequest {
  'kind'?: (string);
  'name'?: (string);
}

export interface GetRequest__Output {
  'kind': (string);
  'name': (string);
}

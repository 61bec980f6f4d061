// Original file: proto/eddy/v1/master.proto


export interface ListWorkersRequest {
  'runtime'?: (string);
}

export interface ListWorkersRequest__Output {
  'runtime': (string);
}

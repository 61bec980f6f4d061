// Original file: proto/eddy/v1/master.proto


export interface GetMountsRequest {
  'dataset'?: (string);
}

export interface GetMountsRequest__Output {
  'dataset': (string);
}

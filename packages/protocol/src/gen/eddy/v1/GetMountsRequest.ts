// Original file: proto/eddy/v1/master.proto


export interface GetMountsRequest {
  'dataset'?: (string);
  'withCredentials'?: (boolean);
}

export interface GetMountsRequest__Output {
  'dataset': (string);
  'withCredentials': (boolean);
}

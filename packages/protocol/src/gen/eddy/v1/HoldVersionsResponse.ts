// Original file: proto/eddy/v1/master.proto


export interface HoldVersionsResponse {
  'leaseMs'?: (number);
}

export interface HoldVersionsResponse__Output {
  'leaseMs': (number);
}

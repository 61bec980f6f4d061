// Original file: proto/eddy/v1/common.proto


export interface WorkerAddress {
  'workerId'?: (string);
  'dataAddress'?: (string);
  'hostId'?: (string);
  'grpcAddress'?: (string);
}

export interface WorkerAddress__Output {
  'workerId': (string);
  'dataAddress': (string);
  'hostId': (string);
  'grpcAddress': (string);
}

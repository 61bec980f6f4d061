// Original file: proto/eddy/v1/master.proto


export interface RegisterWorkerResponse {
  'heartbeatIntervalMs'?: (number);
  'runtimeJson'?: (string);
}

export interface RegisterWorkerResponse__Output {
  'heartbeatIntervalMs': (number);
  'runtimeJson': (string);
}

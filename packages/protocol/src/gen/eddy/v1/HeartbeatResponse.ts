// Original file: proto/eddy/v1/master.proto


export interface HeartbeatResponse {
  'free'?: (string)[];
  'reregister'?: (boolean);
}

export interface HeartbeatResponse__Output {
  'free': (string)[];
  'reregister': (boolean);
}

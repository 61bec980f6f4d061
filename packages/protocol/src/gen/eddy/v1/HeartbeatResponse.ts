// Original file: proto/eddy/v1/master.proto


export interface HeartbeatResponse {
  'free'?: (string)[];
  'reregister'?: (boolean);
  'pin'?: (string)[];
  'unpin'?: (string)[];
}

export interface HeartbeatResponse__Output {
  'free': (string)[];
  'reregister': (boolean);
  'pin': (string)[];
  'unpin': (string)[];
}

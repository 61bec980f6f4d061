// Original file: proto/eddy/v1/master.proto


export interface GetResponse {
  'objectsJson'?: (string)[];
}

export interface GetResponse__Output {
  'objectsJson': (string)[];
}

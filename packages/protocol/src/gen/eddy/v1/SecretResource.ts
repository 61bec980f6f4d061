// Original file: proto/eddy/v1/master.proto


export interface SecretResource {
  'type'?: (string);
  'keys'?: (string)[];
}

export interface SecretResource__Output {
  'type': (string);
  'keys': (string)[];
}

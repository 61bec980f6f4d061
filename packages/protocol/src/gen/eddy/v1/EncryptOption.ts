// Original file: proto/eddy/v1/master.proto


export interface EncryptOption {
  'name'?: (string);
  'secretName'?: (string);
  'secretKey'?: (string);
}

export interface EncryptOption__Output {
  'name': (string);
  'secretName': (string);
  'secretKey': (string);
}

// Original file: proto/eddy/v1/master.proto


export interface ApplyResult {
  'kind'?: (string);
  'name'?: (string);
  'action'?: (string);
}

export interface ApplyResult__Output {
  'kind': (string);
  'name': (string);
  'action': (string);
}

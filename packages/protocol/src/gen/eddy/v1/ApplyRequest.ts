// Original file: proto/eddy/v1/master.proto


export interface ApplyRequest {
  'manifests'?: (string);
}

export interface ApplyRequest__Output {
  'manifests': (string);
}

// Original file: proto/eddy/v1/master.proto


export interface DataLoadFailedFile {
  'path'?: (string);
  'message'?: (string);
}

export interface DataLoadFailedFile__Output {
  'path': (string);
  'message': (string);
}

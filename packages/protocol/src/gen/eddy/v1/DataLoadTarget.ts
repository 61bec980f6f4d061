// Original file: proto/eddy/v1/master.proto


export interface DataLoadTarget {
  'path'?: (string);
  'replicas'?: (number);
}

export interface DataLoadTarget__Output {
  'path': (string);
  'replicas': (number);
}

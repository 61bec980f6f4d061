// Original file: proto/eddy/v1/master.proto


export interface MountSpec {
  'url'?: (string);
  'path'?: (string);
  'options'?: ({[key: string]: string});
}

export interface MountSpec__Output {
  'url': (string);
  'path': (string);
  'options': ({[key: string]: string});
}

// Original file: proto/eddy/v1/master.proto


export interface ListRequest {
  'dataset'?: (string);
  'path'?: (string);
  'pageToken'?: (string);
  'pageSize'?: (number);
  'locateBlocks'?: (number);
  'subtreeEntries'?: (number);
}

export interface ListRequest__Output {
  'dataset': (string);
  'path': (string);
  'pageToken': (string);
  'pageSize': (number);
  'locateBlocks': (number);
  'subtreeEntries': (number);
}

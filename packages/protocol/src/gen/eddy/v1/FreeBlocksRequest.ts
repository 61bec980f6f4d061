// Original file: proto/eddy/v1/worker.proto


export interface FreeBlocksRequest {
  'keys'?: (string)[];
}

export interface FreeBlocksRequest__Output {
  'keys': (string)[];
}

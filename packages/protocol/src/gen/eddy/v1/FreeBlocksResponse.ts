// Original file: proto/eddy/v1/worker.proto


export interface FreeBlocksResponse {
  'freed'?: (number);
}

export interface FreeBlocksResponse__Output {
  'freed': (number);
}

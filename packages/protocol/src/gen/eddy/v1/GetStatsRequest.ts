// Original file: proto/eddy/v1/worker.proto


export interface GetStatsRequest {
}

export interface GetStatsRequest__Output {
}

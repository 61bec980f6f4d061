// Original file: proto/eddy/v1/master.proto


export interface ReportReadsResponse {
}

export interface ReportReadsResponse__Output {
}

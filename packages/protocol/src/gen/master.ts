import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ApplyRequest as _eddy_v1_ApplyRequest, ApplyRequest__Output as _eddy_v1_ApplyRequest__Output } from './eddy/v1/ApplyRequest.js';
import type { ApplyResponse as _eddy_v1_ApplyResponse, ApplyResponse__Output as _eddy_v1_ApplyResponse__Output } from './eddy/v1/ApplyResponse.js';
import type { ApplyResult as _eddy_v1_ApplyResult, ApplyResult__Output as _eddy_v1_ApplyResult__Output } from './eddy/v1/ApplyResult.js';
import type { BlockLocation as _eddy_v1_BlockLocation, BlockLocation__Output as _eddy_v1_BlockLocation__Output } from './eddy/v1/BlockLocation.js';
import type { BlockRef as _eddy_v1_BlockRef, BlockRef__Output as _eddy_v1_BlockRef__Output } from './eddy/v1/BlockRef.js';
import type { Condition as _eddy_v1_Condition, Condition__Output as _eddy_v1_Condition__Output } from './eddy/v1/Condition.js';
import type { CredentialVerifier as _eddy_v1_CredentialVerifier, CredentialVerifier__Output as _eddy_v1_CredentialVerifier__Output } from './eddy/v1/CredentialVerifier.js';
import type { DataLoadFailedFile as _eddy_v1_DataLoadFailedFile, DataLoadFailedFile__Output as _eddy_v1_DataLoadFailedFile__Output } from './eddy/v1/DataLoadFailedFile.js';
import type { DataLoadProgress as _eddy_v1_DataLoadProgress, DataLoadProgress__Output as _eddy_v1_DataLoadProgress__Output } from './eddy/v1/DataLoadProgress.js';
import type { DataLoadResource as _eddy_v1_DataLoadResource, DataLoadResource__Output as _eddy_v1_DataLoadResource__Output } from './eddy/v1/DataLoadResource.js';
import type { DataLoadRun as _eddy_v1_DataLoadRun, DataLoadRun__Output as _eddy_v1_DataLoadRun__Output } from './eddy/v1/DataLoadRun.js';
import type { DataLoadStatus as _eddy_v1_DataLoadStatus, DataLoadStatus__Output as _eddy_v1_DataLoadStatus__Output } from './eddy/v1/DataLoadStatus.js';
import type { DataLoadTarget as _eddy_v1_DataLoadTarget, DataLoadTarget__Output as _eddy_v1_DataLoadTarget__Output } from './eddy/v1/DataLoadTarget.js';
import type { DatasetMount as _eddy_v1_DatasetMount, DatasetMount__Output as _eddy_v1_DatasetMount__Output } from './eddy/v1/DatasetMount.js';
import type { DatasetResource as _eddy_v1_DatasetResource, DatasetResource__Output as _eddy_v1_DatasetResource__Output } from './eddy/v1/DatasetResource.js';
import type { DatasetStatus as _eddy_v1_DatasetStatus, DatasetStatus__Output as _eddy_v1_DatasetStatus__Output } from './eddy/v1/DatasetStatus.js';
import type { DeleteRequest as _eddy_v1_DeleteRequest, DeleteRequest__Output as _eddy_v1_DeleteRequest__Output } from './eddy/v1/DeleteRequest.js';
import type { DeleteResponse as _eddy_v1_DeleteResponse, DeleteResponse__Output as _eddy_v1_DeleteResponse__Output } from './eddy/v1/DeleteResponse.js';
import type { EncryptOption as _eddy_v1_EncryptOption, EncryptOption__Output as _eddy_v1_EncryptOption__Output } from './eddy/v1/EncryptOption.js';
import type { FileInfo as _eddy_v1_FileInfo, FileInfo__Output as _eddy_v1_FileInfo__Output } from './eddy/v1/FileInfo.js';
import type { GetBlockLocationsRequest as _eddy_v1_GetBlockLocationsRequest, GetBlockLocationsRequest__Output as _eddy_v1_GetBlockLocationsRequest__Output } from './eddy/v1/GetBlockLocationsRequest.js';
import type { GetBlockLocationsResponse as _eddy_v1_GetBlockLocationsResponse, GetBlockLocationsResponse__Output as _eddy_v1_GetBlockLocationsResponse__Output } from './eddy/v1/GetBlockLocationsResponse.js';
import type { GetMountsRequest as _eddy_v1_GetMountsRequest, GetMountsRequest__Output as _eddy_v1_GetMountsRequest__Output } from './eddy/v1/GetMountsRequest.js';
import type { GetMountsResponse as _eddy_v1_GetMountsResponse, GetMountsResponse__Output as _eddy_v1_GetMountsResponse__Output } from './eddy/v1/GetMountsResponse.js';
import type { GetRequest as _eddy_v1_GetRequest, GetRequest__Output as _eddy_v1_GetRequest__Output } from './eddy/v1/GetRequest.js';
import type { GetResponse as _eddy_v1_GetResponse, GetResponse__Output as _eddy_v1_GetResponse__Output } from './eddy/v1/GetResponse.js';
import type { HeartbeatRequest as _eddy_v1_HeartbeatRequest, HeartbeatRequest__Output as _eddy_v1_HeartbeatRequest__Output } from './eddy/v1/HeartbeatRequest.js';
import type { HeartbeatResponse as _eddy_v1_HeartbeatResponse, HeartbeatResponse__Output as _eddy_v1_HeartbeatResponse__Output } from './eddy/v1/HeartbeatResponse.js';
import type { HoldVersionsRequest as _eddy_v1_HoldVersionsRequest, HoldVersionsRequest__Output as _eddy_v1_HoldVersionsRequest__Output } from './eddy/v1/HoldVersionsRequest.js';
import type { HoldVersionsResponse as _eddy_v1_HoldVersionsResponse, HoldVersionsResponse__Output as _eddy_v1_HoldVersionsResponse__Output } from './eddy/v1/HoldVersionsResponse.js';
import type { ListRequest as _eddy_v1_ListRequest, ListRequest__Output as _eddy_v1_ListRequest__Output } from './eddy/v1/ListRequest.js';
import type { ListResponse as _eddy_v1_ListResponse, ListResponse__Output as _eddy_v1_ListResponse__Output } from './eddy/v1/ListResponse.js';
import type { ListWorkersRequest as _eddy_v1_ListWorkersRequest, ListWorkersRequest__Output as _eddy_v1_ListWorkersRequest__Output } from './eddy/v1/ListWorkersRequest.js';
import type { ListWorkersResponse as _eddy_v1_ListWorkersResponse, ListWorkersResponse__Output as _eddy_v1_ListWorkersResponse__Output } from './eddy/v1/ListWorkersResponse.js';
import type { ListedBlocks as _eddy_v1_ListedBlocks, ListedBlocks__Output as _eddy_v1_ListedBlocks__Output } from './eddy/v1/ListedBlocks.js';
import type { ListedDir as _eddy_v1_ListedDir, ListedDir__Output as _eddy_v1_ListedDir__Output } from './eddy/v1/ListedDir.js';
import type { MasterClient as _eddy_v1_MasterClient, MasterDefinition as _eddy_v1_MasterDefinition } from './eddy/v1/Master.js';
import type { MountSpec as _eddy_v1_MountSpec, MountSpec__Output as _eddy_v1_MountSpec__Output } from './eddy/v1/MountSpec.js';
import type { ObjectMeta as _eddy_v1_ObjectMeta, ObjectMeta__Output as _eddy_v1_ObjectMeta__Output } from './eddy/v1/ObjectMeta.js';
import type { ReadReport as _eddy_v1_ReadReport, ReadReport__Output as _eddy_v1_ReadReport__Output } from './eddy/v1/ReadReport.js';
import type { RefreshRequest as _eddy_v1_RefreshRequest, RefreshRequest__Output as _eddy_v1_RefreshRequest__Output } from './eddy/v1/RefreshRequest.js';
import type { RefreshResponse as _eddy_v1_RefreshResponse, RefreshResponse__Output as _eddy_v1_RefreshResponse__Output } from './eddy/v1/RefreshResponse.js';
import type { RegisterWorkerRequest as _eddy_v1_RegisterWorkerRequest, RegisterWorkerRequest__Output as _eddy_v1_RegisterWorkerRequest__Output } from './eddy/v1/RegisterWorkerRequest.js';
import type { RegisterWorkerResponse as _eddy_v1_RegisterWorkerResponse, RegisterWorkerResponse__Output as _eddy_v1_RegisterWorkerResponse__Output } from './eddy/v1/RegisterWorkerResponse.js';
import type { ReportReadsRequest as _eddy_v1_ReportReadsRequest, ReportReadsRequest__Output as _eddy_v1_ReportReadsRequest__Output } from './eddy/v1/ReportReadsRequest.js';
import type { ReportReadsResponse as _eddy_v1_ReportReadsResponse, ReportReadsResponse__Output as _eddy_v1_ReportReadsResponse__Output } from './eddy/v1/ReportReadsResponse.js';
import type { Resource as _eddy_v1_Resource, Resource__Output as _eddy_v1_Resource__Output } from './eddy/v1/Resource.js';
import type { RuntimeResource as _eddy_v1_RuntimeResource, RuntimeResource__Output as _eddy_v1_RuntimeResource__Output } from './eddy/v1/RuntimeResource.js';
import type { RuntimeSpec as _eddy_v1_RuntimeSpec, RuntimeSpec__Output as _eddy_v1_RuntimeSpec__Output } from './eddy/v1/RuntimeSpec.js';
import type { RuntimeStatus as _eddy_v1_RuntimeStatus, RuntimeStatus__Output as _eddy_v1_RuntimeStatus__Output } from './eddy/v1/RuntimeStatus.js';
import type { SecretResource as _eddy_v1_SecretResource, SecretResource__Output as _eddy_v1_SecretResource__Output } from './eddy/v1/SecretResource.js';
import type { StatRequest as _eddy_v1_StatRequest, StatRequest__Output as _eddy_v1_StatRequest__Output } from './eddy/v1/StatRequest.js';
import type { StatResponse as _eddy_v1_StatResponse, StatResponse__Output as _eddy_v1_StatResponse__Output } from './eddy/v1/StatResponse.js';
import type { TierInfo as _eddy_v1_TierInfo, TierInfo__Output as _eddy_v1_TierInfo__Output } from './eddy/v1/TierInfo.js';
import type { WorkerAddress as _eddy_v1_WorkerAddress, WorkerAddress__Output as _eddy_v1_WorkerAddress__Output } from './eddy/v1/WorkerAddress.js';
import type { WorkerCounters as _eddy_v1_WorkerCounters, WorkerCounters__Output as _eddy_v1_WorkerCounters__Output } from './eddy/v1/WorkerCounters.js';
import type { WorkerStatus as _eddy_v1_WorkerStatus, WorkerStatus__Output as _eddy_v1_WorkerStatus__Output } from './eddy/v1/WorkerStatus.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  eddy: {
    v1: {
      ApplyRequest: MessageTypeDefinition<_eddy_v1_ApplyRequest, _eddy_v1_ApplyRequest__Output>
      ApplyResponse: MessageTypeDefinition<_eddy_v1_ApplyResponse, _eddy_v1_ApplyResponse__Output>
      ApplyResult: MessageTypeDefinition<_eddy_v1_ApplyResult, _eddy_v1_ApplyResult__Output>
      BlockLocation: MessageTypeDefinition<_eddy_v1_BlockLocation, _eddy_v1_BlockLocation__Output>
      BlockRef: MessageTypeDefinition<_eddy_v1_BlockRef, _eddy_v1_BlockRef__Output>
      Condition: MessageTypeDefinition<_eddy_v1_Condition, _eddy_v1_Condition__Output>
      CredentialVerifier: MessageTypeDefinition<_eddy_v1_CredentialVerifier, _eddy_v1_CredentialVerifier__Output>
      DataLoadFailedFile: MessageTypeDefinition<_eddy_v1_DataLoadFailedFile, _eddy_v1_DataLoadFailedFile__Output>
      DataLoadProgress: MessageTypeDefinition<_eddy_v1_DataLoadProgress, _eddy_v1_DataLoadProgress__Output>
      DataLoadResource: MessageTypeDefinition<_eddy_v1_DataLoadResource, _eddy_v1_DataLoadResource__Output>
      DataLoadRun: MessageTypeDefinition<_eddy_v1_DataLoadRun, _eddy_v1_DataLoadRun__Output>
      DataLoadStatus: MessageTypeDefinition<_eddy_v1_DataLoadStatus, _eddy_v1_DataLoadStatus__Output>
      DataLoadTarget: MessageTypeDefinition<_eddy_v1_DataLoadTarget, _eddy_v1_DataLoadTarget__Output>
      DatasetMount: MessageTypeDefinition<_eddy_v1_DatasetMount, _eddy_v1_DatasetMount__Output>
      DatasetResource: MessageTypeDefinition<_eddy_v1_DatasetResource, _eddy_v1_DatasetResource__Output>
      DatasetStatus: MessageTypeDefinition<_eddy_v1_DatasetStatus, _eddy_v1_DatasetStatus__Output>
      DeleteRequest: MessageTypeDefinition<_eddy_v1_DeleteRequest, _eddy_v1_DeleteRequest__Output>
      DeleteResponse: MessageTypeDefinition<_eddy_v1_DeleteResponse, _eddy_v1_DeleteResponse__Output>
      EncryptOption: MessageTypeDefinition<_eddy_v1_EncryptOption, _eddy_v1_EncryptOption__Output>
      FileInfo: MessageTypeDefinition<_eddy_v1_FileInfo, _eddy_v1_FileInfo__Output>
      GetBlockLocationsRequest: MessageTypeDefinition<_eddy_v1_GetBlockLocationsRequest, _eddy_v1_GetBlockLocationsRequest__Output>
      GetBlockLocationsResponse: MessageTypeDefinition<_eddy_v1_GetBlockLocationsResponse, _eddy_v1_GetBlockLocationsResponse__Output>
      GetMountsRequest: MessageTypeDefinition<_eddy_v1_GetMountsRequest, _eddy_v1_GetMountsRequest__Output>
      GetMountsResponse: MessageTypeDefinition<_eddy_v1_GetMountsResponse, _eddy_v1_GetMountsResponse__Output>
      GetRequest: MessageTypeDefinition<_eddy_v1_GetRequest, _eddy_v1_GetRequest__Output>
      GetResponse: MessageTypeDefinition<_eddy_v1_GetResponse, _eddy_v1_GetResponse__Output>
      HeartbeatRequest: MessageTypeDefinition<_eddy_v1_HeartbeatRequest, _eddy_v1_HeartbeatRequest__Output>
      HeartbeatResponse: MessageTypeDefinition<_eddy_v1_HeartbeatResponse, _eddy_v1_HeartbeatResponse__Output>
      HoldVersionsRequest: MessageTypeDefinition<_eddy_v1_HoldVersionsRequest, _eddy_v1_HoldVersionsRequest__Output>
      HoldVersionsResponse: MessageTypeDefinition<_eddy_v1_HoldVersionsResponse, _eddy_v1_HoldVersionsResponse__Output>
      ListRequest: MessageTypeDefinition<_eddy_v1_ListRequest, _eddy_v1_ListRequest__Output>
      ListResponse: MessageTypeDefinition<_eddy_v1_ListResponse, _eddy_v1_ListResponse__Output>
      ListWorkersRequest: MessageTypeDefinition<_eddy_v1_ListWorkersRequest, _eddy_v1_ListWorkersRequest__Output>
      ListWorkersResponse: MessageTypeDefinition<_eddy_v1_ListWorkersResponse, _eddy_v1_ListWorkersResponse__Output>
      ListedBlocks: MessageTypeDefinition<_eddy_v1_ListedBlocks, _eddy_v1_ListedBlocks__Output>
      ListedDir: MessageTypeDefinition<_eddy_v1_ListedDir, _eddy_v1_ListedDir__Output>
      Master: SubtypeConstructor<typeof grpc.Client, _eddy_v1_MasterClient> & { service: _eddy_v1_MasterDefinition }
      MountSpec: MessageTypeDefinition<_eddy_v1_MountSpec, _eddy_v1_MountSpec__Output>
      ObjectMeta: MessageTypeDefinition<_eddy_v1_ObjectMeta, _eddy_v1_ObjectMeta__Output>
      ReadReport: MessageTypeDefinition<_eddy_v1_ReadReport, _eddy_v1_ReadReport__Output>
      RefreshRequest: MessageTypeDefinition<_eddy_v1_RefreshRequest, _eddy_v1_RefreshRequest__Output>
      RefreshResponse: MessageTypeDefinition<_eddy_v1_RefreshResponse, _eddy_v1_RefreshResponse__Output>
      RegisterWorkerRequest: MessageTypeDefinition<_eddy_v1_RegisterWorkerRequest, _eddy_v1_RegisterWorkerRequest__Output>
      RegisterWorkerResponse: MessageTypeDefinition<_eddy_v1_RegisterWorkerResponse, _eddy_v1_RegisterWorkerResponse__Output>
      ReportReadsRequest: MessageTypeDefinition<_eddy_v1_ReportReadsRequest, _eddy_v1_ReportReadsRequest__Output>
      ReportReadsResponse: MessageTypeDefinition<_eddy_v1_ReportReadsResponse, _eddy_v1_ReportReadsResponse__Output>
      Resource: MessageTypeDefinition<_eddy_v1_Resource, _eddy_v1_Resource__Output>
      RuntimeResource: MessageTypeDefinition<_eddy_v1_RuntimeResource, _eddy_v1_RuntimeResource__Output>
      RuntimeSpec: MessageTypeDefinition<_eddy_v1_RuntimeSpec, _eddy_v1_RuntimeSpec__Output>
      RuntimeStatus: MessageTypeDefinition<_eddy_v1_RuntimeStatus, _eddy_v1_RuntimeStatus__Output>
      SecretResource: MessageTypeDefinition<_eddy_v1_SecretResource, _eddy_v1_SecretResource__Output>
      StatRequest: MessageTypeDefinition<_eddy_v1_StatRequest, _eddy_v1_StatRequest__Output>
      StatResponse: MessageTypeDefinition<_eddy_v1_StatResponse, _eddy_v1_StatResponse__Output>
      TierInfo: MessageTypeDefinition<_eddy_v1_TierInfo, _eddy_v1_TierInfo__Output>
      WorkerAddress: MessageTypeDefinition<_eddy_v1_WorkerAddress, _eddy_v1_WorkerAddress__Output>
      WorkerCounters: MessageTypeDefinition<_eddy_v1_WorkerCounters, _eddy_v1_WorkerCounters__Output>
      WorkerStatus: MessageTypeDefinition<_eddy_v1_WorkerStatus, _eddy_v1_WorkerStatus__Output>
    }
  }
}


// Original file: proto/eddy/v1/master.proto

import type { Long } from '@grpc/proto-loader';

export interface DatasetStatus {
  'phase'?: (string);
  'reason'?: (string);
  'runtime'?: (string);
  'ufsTotalBytes'?: (number | string | Long);
  'fileNum'?: (number | string | Long);
  'ufsTotal'?: (string);
  'cached'?: (string);
  'cacheCapacity'?: (string);
  'cachedPercentage'?: (string);
  'cachedBytes'?: (number | string | Long);
  'cacheCapacityBytes'?: (number | string | Long);
  'cachedRatio'?: (number | string);
  'cacheHitRatio'?: (number | string);
  'cacheHitRatioPercentage'?: (string);
  'liveWorkers'?: (number);
  'desiredWorkers'?: (number);
  'lastRefreshTimeMs'?: (number | string | Long);
  'localHitRatio'?: (number | string);
  'remoteHitRatio'?: (number | string);
  'cacheThroughputRatio'?: (number | string);
  'localThroughputRatio'?: (number | string);
  'remoteThroughputRatio'?: (number | string);
  'hitRatioWindowSeconds'?: (number);
  'throughputWindowSeconds'?: (number);
  'bytesReadLocal'?: (number | string | Long);
  'bytesReadRemote'?: (number | string | Long);
  'bytesReadUfs'?: (number | string | Long);
  'source'?: (string);
}

export interface DatasetStatus__Output {
  'phase': (string);
  'reason': (string);
  'runtime': (string);
  'ufsTotalBytes': (number);
  'fileNum': (number);
  'ufsTotal': (string);
  'cached': (string);
  'cacheCapacity': (string);
  'cachedPercentage': (string);
  'cachedBytes': (number);
  'cacheCapacityBytes': (number);
  'cachedRatio': (number);
  'cacheHitRatio': (number);
  'cacheHitRatioPercentage': (string);
  'liveWorkers': (number);
  'desiredWorkers': (number);
  'lastRefreshTimeMs': (number);
  'localHitRatio': (number);
  'remoteHitRatio': (number);
  'cacheThroughputRatio': (number);
  'localThroughputRatio': (number);
  'remoteThroughputRatio': (number);
  'hitRatioWindowSeconds': (number);
  'throughputWindowSeconds': (number);
  'bytesReadLocal': (number);
  'bytesReadRemote': (number);
  'bytesReadUfs': (number);
  'source': (string);
}

// The parts of the master's objects (Get → JSON) that tables and progress read. The master is
// a separate process, possibly another version: its JSON is parsed once here, leniently (every
// field optional, unknown fields kept) so that output degrades to `<none>` instead of failing.
import { z } from 'zod';
import { ProtocolError } from '@eddy/core';

const num = z.number().finite().optional().catch(undefined);
const str = z.string().optional().catch(undefined);

const metadata = z.looseObject({
  name: z.string().catch(''),
  namespace: str,
  creationTimestamp: str,
}).catch({ name: '' });

export const conditionView = z.looseObject({
  type: str,
  status: str,
  reason: str,
  message: str,
  lastProbeTime: str,
  lastTransitionTime: str,
});

export const datasetView = z.looseObject({
  kind: str,
  metadata,
  status: z.looseObject({
    phase: str,
    ufsTotal: str,
    ufsTotalBytes: num,
    fileNum: z.union([z.number(), z.string()]).optional().catch(undefined),
    cacheStates: z.looseObject({
      cached: str,
      cachedBytes: num,
      cacheCapacity: str,
      cacheCapacityBytes: num,
      cachedPercentage: str,
      /** The master sends a ratio in [0, 1] and its percentage string; Fluid, a string. */
      cacheHitRatio: z.union([z.number(), z.string()]).optional().catch(undefined),
      cacheHitRatioPercentage: str,
    }).optional().catch(undefined),
  }).optional().catch(undefined),
});
export type DatasetView = z.infer<typeof datasetView>;

export const dataLoadView = z.looseObject({
  kind: str,
  metadata,
  spec: z.looseObject({
    dataset: z.looseObject({ name: str }).optional().catch(undefined),
    policy: str,
    schedule: str,
  }).optional().catch(undefined),
  status: z.looseObject({
    phase: str,
    duration: str,
    lastScheduleTime: str,
    lastSuccessfulTime: str,
    conditions: z.array(conditionView).optional().catch(undefined),
    progress: z.looseObject({
      filesDone: num,
      filesTotal: num,
      bytesDone: num,
      bytesTotal: num,
    }).optional().catch(undefined),
  }).optional().catch(undefined),
});
export type DataLoadView = z.infer<typeof dataLoadView>;

export const runtimeView = z.looseObject({
  kind: str,
  metadata,
  spec: z.looseObject({
    replicas: num,
    tieredstore: z.looseObject({
      levels: z.array(z.looseObject({ mediumtype: str, path: str, quota: z.union([z.number(), z.string()]).optional().catch(undefined) })).optional().catch(undefined),
    }).optional().catch(undefined),
  }).optional().catch(undefined),
  status: z.looseObject({
    phase: str,
    liveWorkers: num,
    desiredWorkers: num,
    cacheCapacityBytes: num,
  }).optional().catch(undefined),
});
export type RuntimeView = z.infer<typeof runtimeView>;

/** Parses one `objects_json` entry; malformed JSON is a protocol error (the master is broken). */
export function parseObjectJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ProtocolError('master returned an object that is not JSON', { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('master returned an object that is not a JSON object');
  }
  return value as Record<string, unknown>;
}

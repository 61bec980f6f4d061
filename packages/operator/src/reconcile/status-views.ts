// The status the operator writes into each custom resource, computed from what the master reports
// (for the Dataset: Fluid's fields and columns plus exact byte counts; for a DataLoad: phase,
// duration, conditions and schedule times) and from what the operator itself knows (a bad spec, a
// master it cannot reach). Pure functions: the reconciler decides when to write.
import { formatPercent } from '@eddy/core';
import type { proto } from '@eddy/protocol';
import { conditionsOf, setCondition, type Condition, type ConditionInput } from '../kube/conditions.js';
import type { KubeObject } from '../kube/kube-api.js';

export const READY = 'Ready';

function record(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {};
}

/** Unix ms (0 = never) as an RFC 3339 time. */
function time(ms: number | undefined): string | undefined {
  return ms ? new Date(ms).toISOString() : undefined;
}

function generation(obj: KubeObject): number {
  return obj.metadata.generation ?? 0;
}

/** Drops undefined fields so server-side apply does not claim them. */
function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function ready(obj: KubeObject, ok: boolean, reason: string, message: string): Condition[] {
  const input: ConditionInput = { type: READY, status: ok ? 'True' : 'False', reason, message, observedGeneration: generation(obj) };
  return setCondition(conditionsOf(obj['status']), input);
}

/**
 * Fluid's hit and throughput ratios as Fluid writes them into cacheStates ("83.3%"; "0.0%" when nothing
 * was read in the window), from the master's ratios in [0, 1] over the windows it states, which are
 * mirrored too, with the exact bytes read by source since the master started.
 */
function readRatios(m: proto.DatasetStatus__Output): Record<string, unknown> {
  const pct = (ratio: number): string => formatPercent(ratio, 1);
  return {
    cacheHitRatio: m.cacheHitRatioPercentage || pct(m.cacheHitRatio),
    localHitRatio: pct(m.localHitRatio),
    remoteHitRatio: pct(m.remoteHitRatio),
    cacheThroughputRatio: pct(m.cacheThroughputRatio),
    localThroughputRatio: pct(m.localThroughputRatio),
    remoteThroughputRatio: pct(m.remoteThroughputRatio),
    hitRatioWindowSeconds: m.hitRatioWindowSeconds,
    throughputWindowSeconds: m.throughputWindowSeconds,
    bytesReadLocal: m.bytesReadLocal,
    bytesReadRemote: m.bytesReadRemote,
    bytesReadUfs: m.bytesReadUfs,
  };
}

/** The Dataset's status from the master's view of it (undefined: the master has not listed it yet). */
export function datasetStatus(ds: KubeObject, master: proto.DatasetStatus__Output | undefined, runtimeName: string,
  runtimeKind: string): Record<string, unknown> {
  const phase = master?.phase || 'NotBound';
  const reason = phase === 'Bound' ? 'DatasetBound' : phase === 'Failed' ? 'UfsUnavailable' : 'WorkersNotReady';
  const message = phase === 'Bound' ? `served by ${runtimeKind} ${runtimeName}`
    : master?.reason || 'waiting for the Runtime\'s workers to register with the master';
  return compact({
    phase,
    ufsTotal: master?.ufsTotal || undefined,
    ufsTotalBytes: master?.ufsTotalBytes,
    fileNum: master ? String(master.fileNum) : undefined,
    cacheStates: compact({
      cached: master?.cached || undefined,
      cachedBytes: master?.cachedBytes,
      cacheCapacity: master?.cacheCapacity || undefined,
      cacheCapacityBytes: master?.cacheCapacityBytes,
      cachedPercentage: master?.cachedPercentage || undefined,
      ...(master ? readRatios(master) : {}),
    }),
    runtimes: [{ name: runtimeName, namespace: ds.metadata.namespace ?? 'default', category: 'Accelerate', type: 'eddy', masterReplicas: 1 }],
    observedGeneration: generation(ds),
    conditions: ready(ds, phase === 'Bound', reason, message),
  });
}

/** A Dataset the operator cannot serve (yet): no Runtime, a bad spec, a master out of reach. */
export function datasetProblemStatus(ds: KubeObject, phase: 'NotBound' | 'Failed', reason: string, message: string): Record<string, unknown> {
  const old = record(ds['status']);
  return compact({
    ...old,
    phase,
    observedGeneration: generation(ds),
    conditions: ready(ds, false, reason, message),
  });
}

export interface RuntimeFacts {
  replicas: number;
  /** Workers registered with the master, or undefined when the master could not be asked. */
  liveWorkers: number | undefined;
  cacheCapacity?: string | undefined;
  /** The FUSE DaemonSet's status (empty without a kubelet). */
  fuseReady: number | undefined;
  fuseDesired: number | undefined;
}

export function runtimeStatus(rt: KubeObject, facts: RuntimeFacts): Record<string, unknown> {
  const live = facts.liveWorkers;
  const masterPhase = live === undefined ? 'NotReady' : 'Ready';
  const workerPhase = live === undefined || live === 0 ? 'NotReady' : live >= facts.replicas ? 'Ready' : 'PartialReady';
  const fusePhase = facts.fuseDesired === undefined || facts.fuseDesired === 0 ? 'NotReady'
    : (facts.fuseReady ?? 0) >= facts.fuseDesired ? 'Ready' : 'PartialReady';
  const ok = masterPhase === 'Ready' && workerPhase !== 'NotReady';
  return compact({
    masterPhase, workerPhase, fusePhase,
    desiredWorkerNumberScheduled: facts.replicas,
    currentWorkerNumberScheduled: live ?? 0,
    workerNumberReady: live ?? 0,
    cacheCapacity: facts.cacheCapacity,
    observedGeneration: generation(rt),
    conditions: ready(rt, ok, ok ? 'RuntimeReady' : 'RuntimeNotReady',
      ok ? `master ready, ${live ?? 0}/${facts.replicas} workers registered` : `master ${masterPhase}, ${live ?? 0}/${facts.replicas} workers registered`),
  });
}

export function runtimeProblemStatus(rt: KubeObject, reason: string, message: string): Record<string, unknown> {
  return compact({ ...record(rt['status']), observedGeneration: generation(rt), conditions: ready(rt, false, reason, message) });
}

/** A DataLoad's status as its master reports it, Fluid's fields first. */
export function dataLoadStatus(dl: KubeObject, master: proto.DataLoadStatus__Output): Record<string, unknown> {
  const p = master.progress;
  const conditions = master.conditions.map((c) => compact({
    type: c.type, status: c.status, reason: c.reason, message: c.message, observedGeneration: generation(dl),
    lastProbeTime: time(c.lastProbeTimeMs), lastTransitionTime: time(c.lastTransitionTimeMs) ?? new Date(0).toISOString(),
  }));
  return compact({
    phase: master.phase || 'Pending',
    duration: master.duration || undefined,
    lastScheduleTime: time(master.lastScheduleTimeMs),
    lastSuccessfulTime: time(master.lastSuccessfulTimeMs),
    progress: p ? { filesDone: p.filesDone, filesTotal: p.filesTotal, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal } : undefined,
    observedGeneration: generation(dl),
    conditions,
  });
}

/** A DataLoad that cannot run (bad spec, its Dataset unusable): Failed, with why. */
export function dataLoadProblemStatus(dl: KubeObject, phase: 'Pending' | 'Failed', reason: string, message: string): Record<string, unknown> {
  const type = phase === 'Failed' ? 'Failed' : 'Pending';
  const condition: ConditionInput = { type, status: 'True', reason, message, observedGeneration: generation(dl) };
  return compact({
    ...record(dl['status']),
    phase,
    observedGeneration: generation(dl),
    conditions: [setCondition(conditionsOf(dl['status']), condition).find((c) => c.type === type)!],
  });
}

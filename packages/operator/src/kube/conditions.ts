// Status conditions as Kubernetes API conventions have them: one per type, a transition time that
// moves only when the status does, and the generation of the spec they were computed from.

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
  lastProbeTime?: string;
}

export type ConditionInput = Omit<Condition, 'lastTransitionTime'> & { lastTransitionTime?: string };

function isCondition(v: unknown): v is Condition {
  return !!v && typeof v === 'object' && typeof (v as Condition).type === 'string' && typeof (v as Condition).status === 'string';
}

/** The conditions of an existing status (whatever shape it has). */
export function conditionsOf(status: unknown): Condition[] {
  const list = status && typeof status === 'object' ? (status as { conditions?: unknown }).conditions : undefined;
  return Array.isArray(list) ? list.filter(isCondition) : [];
}

/** `existing` with `next` set: its transition time is kept when its status did not change. */
export function setCondition(existing: readonly Condition[], next: ConditionInput, now = new Date()): Condition[] {
  const old = existing.find((c) => c.type === next.type);
  const lastTransitionTime = old && old.status === next.status ? old.lastTransitionTime : (next.lastTransitionTime ?? now.toISOString());
  const merged: Condition = { ...next, lastTransitionTime };
  return [...existing.filter((c) => c.type !== next.type), merged];
}

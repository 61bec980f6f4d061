// A DataLoad manifest validated and defaulted once, at the controller's edge (the manifest
// parser checked its shape; these are the rules the controller relies on): policy Once unless
// given, a Cron schedule parsed, targets default to `/` with 1 replica.
import { ValidationError } from '@eddy/core';
import { parseSchedule, type CronSchedule, type DataLoadManifest } from '@eddy/manifest';

export interface DataLoadTarget {
  /** Absolute path in the dataset namespace: a file or a directory. */
  path: string;
  replicas: number;
}

export interface DataLoadSpec {
  dataset: string;
  policy: 'Once' | 'Cron';
  /** Parsed `spec.schedule`, for Cron only. */
  schedule?: CronSchedule;
  loadMetadata: boolean;
  targets: DataLoadTarget[];
  ttlSecondsAfterFinished?: number;
}

export interface NormalisedDataLoad {
  name: string;
  spec: DataLoadSpec;
  /** Identity of the spec: an apply with the same key changes nothing. */
  key: string;
}

function positiveInt(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new ValidationError(`${field} must be a positive integer, got ${value}`, field);
  return value;
}

function targetsOf(dl: DataLoadManifest): DataLoadTarget[] {
  const raw = dl.spec.target === undefined || dl.spec.target.length === 0 ? [{ path: '/', replicas: 1 }] : dl.spec.target;
  return raw.map((t, i) => {
    if (typeof t.path !== 'string' || !t.path.startsWith('/')) {
      throw new ValidationError(`spec.target[${i}].path must be an absolute path, got ${JSON.stringify(t.path)}`, `spec.target[${i}].path`);
    }
    return { path: t.path, replicas: positiveInt(t.replicas, 1, `spec.target[${i}].replicas`) };
  });
}

/** Validates and defaults a DataLoad; throws ValidationError naming the field. */
export function normaliseDataLoad(dl: DataLoadManifest): NormalisedDataLoad {
  const name = dl.metadata.name;
  if (typeof name !== 'string' || name === '') throw new ValidationError('metadata.name must be a non-empty string', 'metadata.name');
  const spec = dl.spec;
  const dataset = spec.dataset.name;
  if (typeof dataset !== 'string' || dataset === '') throw new ValidationError('spec.dataset.name must be a non-empty string', 'spec.dataset.name');
  const policy = spec.policy ?? 'Once';
  if (policy !== 'Once' && policy !== 'Cron') throw new ValidationError(`spec.policy must be Once or Cron, got ${JSON.stringify(policy)}`, 'spec.policy');
  let schedule: CronSchedule | undefined;
  if (policy === 'Cron') {
    if (spec.schedule === undefined || spec.schedule === '') throw new ValidationError('spec.schedule is required when spec.policy is Cron', 'spec.schedule');
    schedule = parseSchedule(spec.schedule);
  }
  const ttl = spec.ttlSecondsAfterFinished;
  if (ttl !== undefined && (!Number.isSafeInteger(ttl) || ttl < 0)) {
    throw new ValidationError(`spec.ttlSecondsAfterFinished must be a non-negative integer, got ${ttl}`, 'spec.ttlSecondsAfterFinished');
  }
  const normalised: DataLoadSpec = {
    dataset,
    policy,
    ...(schedule !== undefined ? { schedule } : {}),
    loadMetadata: spec.loadMetadata === true,
    targets: targetsOf(dl),
    ...(ttl !== undefined ? { ttlSecondsAfterFinished: ttl } : {}),
  };
  return { name, spec: normalised, key: JSON.stringify({ ...normalised, schedule: schedule?.expression }) };
}

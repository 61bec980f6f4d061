// zod schemas for each manifest kind. Scalars with their own grammar (quantities, watermarks,
// paths, URLs, cron, fuse args) are parsed by the dedicated parsers so there is one source of
// truth for each. Schemas are strict: an unknown field is an error, not silently ignored.
import { z } from 'zod';
import { ValidationError } from '@eddy/core';
import { parseSchedule } from './cron-schedule.js';
import { ACCESS_MODES, parseFuseArgs } from './fuse-options.js';
import {
  FLUID_API_VERSION, MEDIUM_TYPES,
  type DataLoadManifest, type DatasetManifest, type DatasetMount, type ObjectMeta, type RuntimeManifest,
  type SecretManifest, type TierLevel,
} from './manifest-types.js';
import { parseQuantity, quoteValue } from './quantity.js';
import { hasControlCharacter } from './text-checks.js';
import { parseWatermark } from './watermark.js';
import { isCredentialOption } from './credential-option.js';

const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SECRET_KEY = /^(?=.{1,253}$)[-._a-zA-Z0-9]+$/;
// A whole-segment template placeholder such as `<path1>`, as the seed manifests use.
const PLACEHOLDER = /^<[^<>/]+>(\/.*)?$/;

export const DEFAULT_HIGH_WATERMARK = 0.95;
export const DEFAULT_LOW_WATERMARK = 0.7;
export const DEFAULT_RUNTIME_BLOCK_SIZE = 16 * 1024 * 1024;
const MIN_BLOCK_SIZE = 64 * 1024;
const MAX_BLOCK_SIZE = 1024 * 1024 * 1024;

/** A scalar parsed by `fn`; a ValidationError from `fn` becomes an issue at this path (plus its `args[i]` suffix, if any). */
function parsed<T>(fn: (v: unknown) => T) {
  return z.unknown().transform((v, ctx): T => {
    try {
      return fn(v);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const sub = /^args\[(\d+)\]$/.exec(err.field ?? '');
      ctx.issues.push({ code: 'custom', message: err.message, input: v, path: sub ? [Number(sub[1])] : [] });
      return z.NEVER;
    }
  });
}

function required(v: unknown): void {
  if (v === undefined || v === null) throw new ValidationError('is required');
}

function str(v: unknown, what: string): string {
  required(v);
  if (typeof v !== 'string') throw new ValidationError(`expected ${what}, got ${describeType(v)}`);
  return v;
}

export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

function dnsName(v: unknown): string {
  const s = str(v, 'a name');
  if (!DNS_SUBDOMAIN.test(s)) throw new ValidationError(`${quoteValue(s)} is not a valid name; use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit`);
  return s;
}

function dnsLabel(v: unknown): string {
  const s = str(v, 'a name');
  if (!DNS_LABEL.test(s)) throw new ValidationError(`${quoteValue(s)} is not a valid name; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit`);
  return s;
}

function secretKeyName(v: unknown): string {
  const s = str(v, 'a key name');
  if (!SECRET_KEY.test(s)) throw new ValidationError(`${quoteValue(s)} is not a valid key; use letters, digits, '-', '_' and '.'`);
  return s;
}

/** Options are strings; YAML turns `port: 9000` into a number, which is accepted and written back as text. */
function scalarString(v: unknown): string {
  required(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ValidationError(`expected a string, got ${describeType(v)}`);
}

/** Normalise an absolute path in a dataset or on a host; `..`, NUL and control characters are refused. */
export function parseAbsolutePath(v: unknown, opts: { placeholder?: boolean } = {}): string {
  let s = str(v, 'an absolute path');
  if (s === '') throw new ValidationError('must not be empty; write an absolute path such as /');
  if (s.length > 4096) throw new ValidationError('is longer than 4096 characters');
  if (hasControlCharacter(s)) throw new ValidationError(`${quoteValue(s)} contains a NUL or control character`);
  if (opts.placeholder && PLACEHOLDER.test(s)) s = `/${s}`;
  if (!s.startsWith('/')) throw new ValidationError(`${quoteValue(s)} is not absolute; write /${s}`);
  const segs = s.split('/').filter((p) => p !== '' && p !== '.');
  if (segs.includes('..')) throw new ValidationError(`${quoteValue(s)} contains "..", which could escape the dataset; write the path without it`);
  return `/${segs.join('/')}`;
}

const SCHEMES = ['s3', 'oss', 'file', 'local', 'eddy'];
function parseMountPoint(v: unknown): string {
  const s = str(v, 'a URL such as oss://bucket/path');
  if (s.length > 2048) throw new ValidationError('is longer than 2048 characters');
  if (hasControlCharacter(s)) throw new ValidationError(`${quoteValue(s)} contains a NUL or control character`);
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/.exec(s);
  if (!m) throw new ValidationError(`${quoteValue(s)} is not a URL; write s3://bucket/prefix, oss://bucket/prefix or file:///dir`);
  const scheme = (m[1] ?? '').toLowerCase();
  const rest = m[2] ?? '';
  if (!SCHEMES.includes(scheme)) throw new ValidationError(`unsupported scheme "${scheme}://"; Eddy supports s3://, oss://, file:// (local:// is read as file://) and eddy:// (another Eddy cluster)`);
  if (scheme === 'file' || scheme === 'local') {
    if (!rest.startsWith('/')) throw new ValidationError(`${quoteValue(s)} needs an absolute directory: write ${scheme}:///dir (three slashes)`);
    return `file://${parseAbsolutePath(rest)}`;
  }
  // An upstream Eddy cluster: its master's address and the Dataset to read (the driver checks the rest).
  if (scheme === 'eddy' && !/^[^/@]+:\d{1,5}\/[^/]+/.test(rest)) {
    throw new ValidationError(`${quoteValue(s)} must name the upstream master and its dataset: write eddy://HOST:PORT/DATASET[/prefix]`);
  }
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  if (bucket === '') throw new ValidationError(`${quoteValue(s)} has no bucket; write ${scheme}://bucket/prefix`);
  const prefix = slash < 0 ? '' : rest.slice(slash);
  if (prefix.split('/').includes('..')) throw new ValidationError(`${quoteValue(s)} contains "..", which is not allowed in a prefix`);
  return `${scheme}://${bucket}${prefix}`;
}

function runtimeBlockSize(v: unknown): number {
  const n = parseQuantity(v);
  if (n < MIN_BLOCK_SIZE || n > MAX_BLOCK_SIZE) throw new ValidationError(`${quoteValue(v)} is outside 64Ki..1Gi`);
  return n;
}

function tierQuota(v: unknown): number {
  required(v);
  const n = parseQuantity(v);
  if (n === 0) throw new ValidationError(`${quoteValue(v)} is zero; a tier needs room, e.g. 2Gi`);
  return n;
}

const labels = z.record(z.string(), z.string());
const metadataSchema = z.looseObject({
  name: parsed(dnsName),
  namespace: parsed(dnsLabel).optional(),
  labels: labels.optional(),
  annotations: labels.optional(),
});

function meta(m: z.output<typeof metadataSchema>): ObjectMeta {
  return { name: m.name, namespace: m.namespace ?? 'default', labels: m.labels ?? {}, annotations: m.annotations ?? {} };
}

// ---- Secret -----------------------------------------------------------------------------------

const secretKey = z.string().regex(SECRET_KEY, { error: (iss) => `${quoteValue(iss.input)} is not a valid key; use letters, digits, '-', '_' and '.'` });
// Secret values are never echoed, whatever is wrong with them.
const secretValue = z.unknown().transform((v, ctx): string => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  ctx.issues.push({ code: 'custom', message: `expected a string, got ${describeType(v)} (value not shown)`, input: undefined });
  return z.NEVER;
});
const base64Value = z.unknown().transform((v, ctx): string => {
  if (typeof v === 'string') {
    const compact = v.replace(/\s+/g, '');
    if (compact.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return Buffer.from(compact, 'base64').toString('utf8');
  }
  ctx.issues.push({ code: 'custom', message: 'is not valid base64 (value not shown); put plain text under stringData instead', input: undefined });
  return z.NEVER;
});

export const secretSchema = z.strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Secret'),
  metadata: metadataSchema,
  type: z.string().optional(),
  immutable: z.boolean().optional(),
  stringData: z.record(secretKey, secretValue).optional(),
  data: z.record(secretKey, base64Value).optional(),
}).transform((s): SecretManifest => ({
  apiVersion: 'v1', kind: 'Secret', metadata: meta(s.metadata), type: s.type ?? 'Opaque',
  values: { ...(s.data ?? {}), ...(s.stringData ?? {}) },
}));

// ---- Dataset ----------------------------------------------------------------------------------

const encryptOption = z.strictObject({
  name: parsed((v) => { const s = str(v, 'an option name'); if (s === '' || hasControlCharacter(s)) throw new ValidationError('must be a non-empty option name'); return s; }),
  valueFrom: z.strictObject({
    secretKeyRef: z.strictObject({ name: parsed(dnsName), key: parsed(secretKeyName) }),
  }),
});

const mountSchema = z.strictObject({
  mountPoint: parsed(parseMountPoint),
  name: parsed(dnsLabel).optional(),
  path: parsed((v) => parseAbsolutePath(v)).optional(),
  options: z.record(z.string().min(1), parsed(scalarString)).optional(),
  encryptOptions: z.array(encryptOption).optional(),
}).superRefine((m, ctx) => {
  const plain = new Set(Object.keys(m.options ?? {}));
  for (const name of plain) {
    if (isCredentialOption(name)) {
      ctx.addIssue({ code: 'custom', path: ['options', name], message: `"${name}" is a credential: move it to encryptOptions (valueFrom.secretKeyRef to a Secret) so it is not stored and shown in plain text` });
    }
  }
  const seen = new Set<string>();
  (m.encryptOptions ?? []).forEach((e, i) => {
    if (plain.has(e.name)) ctx.addIssue({ code: 'custom', path: ['encryptOptions', i, 'name'], message: `"${e.name}" is also set in options; set it in one place only` });
    if (seen.has(e.name)) ctx.addIssue({ code: 'custom', path: ['encryptOptions', i, 'name'], message: `"${e.name}" is listed twice` });
    seen.add(e.name);
  });
});

export const datasetSchema = z.strictObject({
  apiVersion: z.literal(FLUID_API_VERSION),
  kind: z.literal('Dataset'),
  metadata: metadataSchema,
  spec: z.strictObject({
    mounts: z.array(mountSchema).min(1),
    accessModes: z.array(z.enum(ACCESS_MODES)).min(1).optional(),
  }),
}).superRefine((d, ctx) => {
  const modes = new Set(d.spec.accessModes ?? []);
  if (modes.size > 1) ctx.addIssue({ code: 'custom', path: ['spec', 'accessModes'], message: 'list one access mode: ReadOnlyMany or ReadWriteMany' });
  const many = d.spec.mounts.length > 1;
  const paths: string[] = [];
  const names = new Set<string>();
  d.spec.mounts.forEach((m, i) => {
    if (many && m.name === undefined) ctx.addIssue({ code: 'custom', path: ['spec', 'mounts', i, 'name'], message: 'is required when a dataset has several mounts' });
    const name = m.name ?? d.metadata.name;
    if (names.has(name)) ctx.addIssue({ code: 'custom', path: ['spec', 'mounts', i, 'name'], message: `mount name "${name}" is used twice` });
    names.add(name);
    const p = m.path ?? (many ? `/${name}` : '/');
    const clash = paths.findIndex((q) => q === p || p.startsWith(q === '/' ? '/' : `${q}/`) || q.startsWith(p === '/' ? '/' : `${p}/`));
    if (clash >= 0) ctx.addIssue({ code: 'custom', path: ['spec', 'mounts', i, 'path'], message: `"${p}" overlaps mounts[${clash}] at "${paths[clash] ?? ''}"; give each mount its own path` });
    paths.push(p);
  });
}).transform((d): DatasetManifest => {
  const many = d.spec.mounts.length > 1;
  const mounts = d.spec.mounts.map((m): DatasetMount => {
    const name = m.name ?? d.metadata.name;
    return {
      mountPoint: m.mountPoint, name, path: m.path ?? (many ? `/${name}` : '/'),
      options: m.options ?? {}, encryptOptions: m.encryptOptions ?? [],
    };
  });
  const accessModes = d.spec.accessModes ?? ['ReadOnlyMany'];
  return {
    apiVersion: FLUID_API_VERSION, kind: 'Dataset', metadata: meta(d.metadata),
    spec: { mounts, accessModes, accessMode: accessModes.includes('ReadWriteMany') ? 'ReadWriteMany' : 'ReadOnlyMany' },
  };
});

// ---- Runtime ----------------------------------------------------------------------------------

const levelSchema = z.strictObject({
  mediumtype: z.enum(MEDIUM_TYPES),
  path: parsed((v) => parseAbsolutePath(v)),
  quota: parsed(tierQuota),
  high: parsed(parseWatermark).optional(),
  low: parsed(parseWatermark).optional(),
}).transform((l): TierLevel => ({ ...l, high: l.high ?? DEFAULT_HIGH_WATERMARK, low: l.low ?? DEFAULT_LOW_WATERMARK })).superRefine((l, ctx) => {
  if (l.high < l.low) ctx.addIssue({ code: 'custom', path: ['high'], message: `high ${l.high} is below low ${l.low}; high must be at least low (e.g. high "0.95", low "0.7")` });
});

const ORDER: Record<string, number> = { MEM: 0, SSD: 1, HDD: 2 };

function runtimeSchema<K extends 'JindoRuntime' | 'AlluxioRuntime'>(kind: K) {
  return z.strictObject({
    apiVersion: z.literal(FLUID_API_VERSION),
    kind: z.literal(kind),
    metadata: metadataSchema,
    spec: z.strictObject({
      replicas: z.number().int().min(1).max(10000).optional(),
      tieredstore: z.strictObject({ levels: z.array(levelSchema).min(1) }),
      fuse: z.strictObject({
        // Syntax only here; the access-mode rules (rw) are checked against the Dataset in validateManifestSet.
        args: parsed((v) => {
          if (v === null) return [];
          if (!Array.isArray(v)) throw new ValidationError(`expected a list of strings, got ${describeType(v)}`);
          parseFuseArgs(v as string[], 'ReadWriteMany');
          return v as string[];
        }).optional(),
      }).optional(),
      blockSize: parsed(runtimeBlockSize).optional(),
    }),
  }).superRefine((r, ctx) => {
    const media = new Map<string, number>();
    const paths = new Map<string, number>();
    r.spec.tieredstore.levels.forEach((l, i) => {
      const m = media.get(l.mediumtype);
      if (m !== undefined) ctx.addIssue({ code: 'custom', path: ['spec', 'tieredstore', 'levels', i, 'mediumtype'], message: `${l.mediumtype} is already levels[${m}]; use one level per medium type` });
      media.set(l.mediumtype, i);
      const p = paths.get(l.path);
      if (p !== undefined) ctx.addIssue({ code: 'custom', path: ['spec', 'tieredstore', 'levels', i, 'path'], message: `"${l.path}" is already the path of levels[${p}]; give each tier its own directory` });
      paths.set(l.path, i);
    });
  }).transform((r): RuntimeManifest => ({
    apiVersion: FLUID_API_VERSION, kind, metadata: meta(r.metadata),
    spec: {
      replicas: r.spec.replicas ?? 1,
      tieredstore: { levels: [...r.spec.tieredstore.levels].sort((a, b) => (ORDER[a.mediumtype] ?? 0) - (ORDER[b.mediumtype] ?? 0)) },
      fuse: { args: r.spec.fuse?.args ?? [] },
      blockSize: r.spec.blockSize ?? DEFAULT_RUNTIME_BLOCK_SIZE,
    },
  }));
}
export const jindoRuntimeSchema = runtimeSchema('JindoRuntime');
export const alluxioRuntimeSchema = runtimeSchema('AlluxioRuntime');

// ---- DataLoad ---------------------------------------------------------------------------------

export const dataLoadSchema = z.strictObject({
  apiVersion: z.literal(FLUID_API_VERSION),
  kind: z.literal('DataLoad'),
  metadata: metadataSchema,
  spec: z.strictObject({
    dataset: z.strictObject({
      name: parsed(dnsName),
      namespace: parsed(dnsLabel).optional(),
    }),
    policy: z.enum(['Once', 'Cron']).optional(),
    schedule: parsed((v) => parseSchedule(v).expression).optional(),
    loadMetadata: z.boolean().optional(),
    target: z.array(z.strictObject({
      path: parsed((v) => parseAbsolutePath(v, { placeholder: true })),
      replicas: z.number().int().min(1).max(1000).optional(),
    })).min(1).optional(),
    ttlSecondsAfterFinished: z.number().int().min(0).optional(),
  }),
}).superRefine((d, ctx) => {
  const policy = d.spec.policy ?? 'Once';
  if (policy === 'Cron' && d.spec.schedule === undefined) ctx.addIssue({ code: 'custom', path: ['spec', 'schedule'], message: 'is required with policy: Cron, e.g. schedule: "*/2 * * * *"' });
  if (policy === 'Once' && d.spec.schedule !== undefined) ctx.addIssue({ code: 'custom', path: ['spec', 'schedule'], message: 'is only used with policy: Cron; set policy: Cron or remove schedule' });
  if (policy === 'Cron' && d.spec.ttlSecondsAfterFinished !== undefined) ctx.addIssue({ code: 'custom', path: ['spec', 'ttlSecondsAfterFinished'], message: 'applies to policy: Once only; remove it for a Cron DataLoad' });
}).transform((d): DataLoadManifest => {
  const spec: DataLoadManifest['spec'] = {
    dataset: { name: d.spec.dataset.name, namespace: d.spec.dataset.namespace ?? d.metadata.namespace ?? 'default' },
    policy: d.spec.policy ?? 'Once',
    loadMetadata: d.spec.loadMetadata ?? false,
    target: (d.spec.target ?? [{ path: '/', replicas: 1 }]).map((t) => ({ path: t.path, replicas: t.replicas ?? 1 })),
  };
  if (d.spec.schedule !== undefined) spec.schedule = d.spec.schedule;
  if (d.spec.ttlSecondsAfterFinished !== undefined) spec.ttlSecondsAfterFinished = d.spec.ttlSecondsAfterFinished;
  return { apiVersion: FLUID_API_VERSION, kind: 'DataLoad', metadata: meta(d.metadata), spec };
});

export const SCHEMAS = {
  Secret: { apiVersion: 'v1', schema: secretSchema },
  Dataset: { apiVersion: FLUID_API_VERSION, schema: datasetSchema },
  JindoRuntime: { apiVersion: FLUID_API_VERSION, schema: jindoRuntimeSchema },
  AlluxioRuntime: { apiVersion: FLUID_API_VERSION, schema: alluxioRuntimeSchema },
  DataLoad: { apiVersion: FLUID_API_VERSION, schema: dataLoadSchema },
} as const;

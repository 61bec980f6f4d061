// Entry point for manifest text (`eddy apply -f`, `eddy up -f`): multi-document YAML → typed,
// normalised manifests, or one ValidationError naming every bad document and field.
import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { ManifestError, formatPath, type ManifestIssue } from './manifest-error.js';
import { describeType, SCHEMAS } from './manifest-schema.js';
import type { Manifest } from './manifest-types.js';
import { quoteValue } from './quantity.js';
import { manifestSetIssues } from './validate-manifest-set.js';

const MAX_TEXT = 8 * 1024 * 1024;
const KINDS = Object.keys(SCHEMAS) as (keyof typeof SCHEMAS)[];
const KIND_LIST = 'Secret (v1), Dataset, JindoRuntime, AlluxioRuntime, DataLoad (data.fluid.io/v1alpha1)';
// Kubernetes kinds that consume a dataset; Eddy replaces them with a FUSE mount.
const MOUNT_KINDS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'PersistentVolumeClaim', 'PersistentVolume']);

function label(kind: string, name: unknown): string {
  const safe = (s: string): string => (/^[\w.-]{1,63}$/.test(s) ? s : quoteValue(s));
  return typeof name === 'string' && name !== '' ? `${safe(kind)} ${safe(name)}` : safe(kind);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

type RawIssue = z.core.$ZodRawIssue;

/** Messages for zod's built-in checks; `secret` documents never echo their input. */
function zodMessage(iss: RawIssue, secret: boolean): string {
  const got = (): string => (secret ? '' : `, got ${typeof iss.input === 'number' ? String(iss.input) : typeof iss.input === 'string' ? quoteValue(iss.input) : describeType(iss.input)}`);
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return 'is required';
      if (iss.input === null) return 'is required (the value is empty)';
      return `expected ${iss.expected === 'array' ? 'a list' : iss.expected === 'object' ? 'a mapping' : `a ${iss.expected}`}, got ${describeType(iss.input)}`;
    case 'too_small':
      if (iss.origin === 'array') return `must have at least ${String(iss.minimum)} entr${Number(iss.minimum) === 1 ? 'y' : 'ies'}`;
      if (iss.origin === 'string') return 'must not be empty';
      return `must be at least ${String(iss.minimum)}${got()}`;
    case 'too_big':
      return `must be at most ${String(iss.maximum)}${got()}`;
    case 'invalid_value':
      return `must be ${iss.values.length === 1 ? '' : 'one of '}${iss.values.map(String).join(', ')}${got()}`;
    case 'invalid_format':
      return `is not valid${got()}`;
    case 'not_multiple_of':
      return `must be a whole number${got()}`;
    default:
      return iss.message ?? 'is invalid';
  }
}

function documentIssues(raw: unknown, doc: number): { manifest?: Manifest; issues: ManifestIssue[] } {
  if (!isRecord(raw)) {
    return { issues: [{ document: doc, path: '', problem: `expected a mapping with apiVersion, kind, metadata, got ${describeType(raw)}` }] };
  }
  const { kind, apiVersion } = raw;
  const name = isRecord(raw.metadata) ? raw.metadata.name : undefined;
  if (typeof kind !== 'string' || kind === '') {
    return { issues: [{ document: doc, path: 'kind', problem: `is required; Eddy accepts ${KIND_LIST}` }] };
  }
  const lbl = label(kind, name);
  if (MOUNT_KINDS.has(kind)) {
    return { issues: [{ document: doc, label: lbl, path: 'kind', problem: `unsupported kind ${kind}; Eddy's equivalent is \`eddy mount\` (e.g. eddy mount demo /data), which mounts the dataset with FUSE` }] };
  }
  const entry = (SCHEMAS as Record<string, (typeof SCHEMAS)[keyof typeof SCHEMAS] | undefined>)[kind];
  if (!entry) {
    return { issues: [{ document: doc, label: lbl, path: 'kind', problem: `unsupported kind ${quoteValue(kind)}; Eddy accepts ${KIND_LIST}` }] };
  }
  if (apiVersion !== entry.apiVersion) {
    const problem = apiVersion === undefined ? `is required; ${kind} uses ${entry.apiVersion}` : `unsupported apiVersion ${quoteValue(apiVersion)} for ${kind}; use ${entry.apiVersion}`;
    return { issues: [{ document: doc, label: lbl, path: 'apiVersion', problem }] };
  }
  const secret = kind === 'Secret';
  const result = (entry.schema as z.ZodType<Manifest>).safeParse(raw, { error: (iss) => zodMessage(iss, secret) });
  if (result.success) return { manifest: result.data, issues: [] };
  const issues: ManifestIssue[] = [];
  for (const iss of result.error.issues) {
    if (iss.code === 'unrecognized_keys') {
      for (const key of iss.keys) issues.push({ document: doc, label: lbl, path: formatPath([...iss.path, key]), problem: 'unknown field; check its spelling and indentation' });
    } else {
      issues.push({ document: doc, label: lbl, path: formatPath(iss.path), problem: iss.message });
    }
  }
  return { issues };
}

/**
 * Parse multi-document YAML into typed manifests (empty documents are skipped but still counted,
 * so "document N" is the N-th document in the file). Validates each document, then the set
 * (unique names, secret references within the file, fuse args against the dataset). Throws a
 * ManifestError (a ValidationError) listing every problem; never any other error type.
 */
export function parseManifests(text: string): Manifest[] {
  if (typeof text !== 'string') throw new ManifestError([{ document: 0, path: '', problem: 'manifest text must be a string' }]);
  if (text.length > MAX_TEXT) throw new ManifestError([{ document: 0, path: '', problem: `manifest text is larger than ${MAX_TEXT} bytes` }]);
  const issues: ManifestIssue[] = [];
  const manifests: Manifest[] = [];
  const documents: number[] = [];
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true, strict: true });
  } catch {
    throw new ManifestError([{ document: 1, path: '', problem: 'YAML could not be parsed' }]);
  }
  const list = Array.isArray(docs) ? docs : [];
  list.forEach((d, i) => {
    const doc = i + 1;
    const err = d.errors[0];
    if (err) {
      // Only the first line of yaml's message: the rest quotes source text, which may hold a Secret value.
      const first = (err.message.split('\n')[0] ?? '').replace(/:\s*$/, '');
      const at = err.linePos ? ` (line ${err.linePos[0].line}, column ${err.linePos[0].col})` : '';
      const msg = first.includes(' at line ') ? first : `${first}${at}`;
      issues.push({ document: doc, path: '', problem: `YAML syntax error: ${msg}` });
      return;
    }
    if (d.contents === null) return;
    let raw: unknown;
    try {
      raw = d.toJS({ maxAliasCount: 100 });
    } catch (e) {
      const why = e instanceof Error && /alias/i.test(e.message) ? 'too many aliases' : 'the document could not be converted';
      issues.push({ document: doc, path: '', problem: `YAML error: ${why}` });
      return;
    }
    if (raw === null || raw === undefined) return;
    const r = documentIssues(raw, doc);
    issues.push(...r.issues);
    if (r.manifest) {
      manifests.push(r.manifest);
      documents.push(doc);
    }
  });
  issues.push(...manifestSetIssues(manifests, undefined, documents));
  if (issues.length > 0) throw new ManifestError(issues);
  return manifests;
}

export { KINDS as MANIFEST_KINDS };

// Checks that need more than one document: unique names, one runtime per dataset, secretKeyRefs
// that resolve, and fuse args allowed by the bound dataset's access mode.
import { ValidationError } from '@eddy/core';
import { parseFuseArgs } from './fuse-options.js';
import { ManifestError, type ManifestIssue } from './manifest-error.js';
import type { DatasetManifest, Manifest, SecretManifest } from './manifest-types.js';

/** A Secret already known (e.g. on the master): only its key names matter here, never its values. */
export interface ExistingSecret {
  name: string;
  /** Default "default". */
  namespace?: string;
  keys: readonly string[];
}

export function manifestLabel(m: Pick<Manifest, 'kind' | 'metadata'>): string {
  return `${m.kind} ${m.metadata.name}`;
}

function group(kind: Manifest['kind']): string {
  return kind === 'JindoRuntime' || kind === 'AlluxioRuntime' ? 'Runtime' : kind;
}

/** The same checks as validateManifestSet, returning issues; `documents[i]` is the document number of manifests[i]. */
export function manifestSetIssues(
  manifests: readonly Manifest[],
  existingSecrets?: Iterable<SecretManifest | ExistingSecret>,
  documents?: readonly number[],
): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  const docOf = (i: number): number => documents?.[i] ?? i + 1;
  const seen = new Map<string, number>();
  manifests.forEach((m, i) => {
    const key = `${group(m.kind)}/${m.metadata.namespace}/${m.metadata.name}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, i);
      return;
    }
    const other = manifests[first];
    const problem = other && other.kind !== m.kind
      ? `a Dataset has one runtime: ${manifestLabel(m)} conflicts with ${manifestLabel(other)} (document ${docOf(first)}); keep one of them`
      : `duplicate ${m.kind} "${m.metadata.name}" (also document ${docOf(first)}); names must be unique per kind and namespace`;
    issues.push({ document: docOf(i), label: manifestLabel(m), path: 'metadata.name', problem });
  });

  const secrets = new Map<string, { keys: Set<string>; where: string }>();
  for (const s of existingSecrets ?? []) {
    const ns = 'metadata' in s ? s.metadata.namespace : (s.namespace ?? 'default');
    const name = 'metadata' in s ? s.metadata.name : s.name;
    const keys = 'metadata' in s ? Object.keys(s.values) : s.keys;
    secrets.set(`${ns}/${name}`, { keys: new Set(keys), where: 'existing' });
  }
  manifests.forEach((m, i) => {
    if (m.kind === 'Secret') secrets.set(`${m.metadata.namespace}/${m.metadata.name}`, { keys: new Set(Object.keys(m.values)), where: `document ${docOf(i)}` });
  });
  const checkRefs = existingSecrets !== undefined;

  const datasets = new Map<string, DatasetManifest>();
  manifests.forEach((m, i) => {
    if (m.kind !== 'Dataset') return;
    datasets.set(`${m.metadata.namespace}/${m.metadata.name}`, m);
    m.spec.mounts.forEach((mount, mi) => {
      mount.encryptOptions.forEach((e, ei) => {
        const ref = e.valueFrom.secretKeyRef;
        const secret = secrets.get(`${m.metadata.namespace}/${ref.name}`);
        const path = `spec.mounts[${mi}].encryptOptions[${ei}].valueFrom.secretKeyRef`;
        if (!secret) {
          if (checkRefs) {
            issues.push({ document: docOf(i), label: manifestLabel(m), path: `${path}.name`, problem: `Secret "${ref.name}" does not exist in namespace "${m.metadata.namespace}"; apply the Secret first or in the same file` });
          }
        } else if (!secret.keys.has(ref.key)) {
          const keys = [...secret.keys].sort().join(', ') || 'none';
          issues.push({ document: docOf(i), label: manifestLabel(m), path: `${path}.key`, problem: `Secret "${ref.name}" (${secret.where}) has no key "${ref.key}" (its keys: ${keys})` });
        }
      });
    });
  });

  manifests.forEach((m, i) => {
    if (m.kind !== 'JindoRuntime' && m.kind !== 'AlluxioRuntime') return;
    const ds = datasets.get(`${m.metadata.namespace}/${m.metadata.name}`);
    if (!ds) return;
    try {
      parseFuseArgs(m.spec.fuse.args, ds.spec.accessMode);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      issues.push({ document: docOf(i), label: manifestLabel(m), path: `spec.fuse.${err.field ?? 'args'}`, problem: err.message });
    }
  });
  return issues;
}

/**
 * Cross-document checks. secretKeyRefs are checked against Secrets in `manifests` and, when
 * given, `existingSecrets`; without `existingSecrets` a reference to a Secret outside the set is
 * assumed to exist elsewhere. Throws a ManifestError (a ValidationError) listing every problem.
 */
export function validateManifestSet(manifests: readonly Manifest[], existingSecrets?: Iterable<SecretManifest | ExistingSecret>): void {
  const issues = manifestSetIssues(manifests, existingSecrets);
  if (issues.length > 0) throw new ManifestError(issues);
}

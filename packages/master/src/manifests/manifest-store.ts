// Applied manifests (Secrets, Datasets, Runtimes, DataLoads), validated with @eddy/manifest's
// parser, cross-checked against each other and persisted in the journal. Secret values live
// only here and in the 0600 journal; nothing this module returns for display carries them.
import { NotFoundError, ValidationError } from '@eddy/core';
import { parseManifests, validateManifestSet, type DataLoadManifest, type DatasetManifest, type Manifest, type RuntimeManifest, type SecretManifest } from '@eddy/manifest';
import type { Journal, JournalOp } from '../journal/journal.js';

export type ManifestCategory = 'Secret' | 'Dataset' | 'Runtime' | 'DataLoad';
export type ApplyAction = 'created' | 'configured' | 'unchanged';

export interface StoredManifest<M extends Manifest = Manifest> {
  manifest: M;
  createdMs: number;
  updatedMs: number;
}

export interface ApplyOutcome {
  kind: string;
  name: string;
  action: ApplyAction;
  manifest: Manifest;
}

const PREFIX = 'manifest/';

export function categoryOf(kind: string): ManifestCategory {
  const k = kind.toLowerCase().replace(/s$/, '');
  switch (k) {
    case 'secret': return 'Secret';
    case 'dataset': return 'Dataset';
    case 'runtime': case 'jindoruntime': case 'alluxioruntime': return 'Runtime';
    case 'dataload': return 'DataLoad';
    default:
      throw new ValidationError(`unknown kind ${JSON.stringify(kind.slice(0, 40))}: use secret, dataset, runtime (jindoruntime, alluxioruntime) or dataload`, 'kind');
  }
}

function keyOf(cat: ManifestCategory, name: string): string {
  return `${PREFIX}${cat}/${name}`;
}

export interface ManifestStoreOptions {
  /**
   * Checks a Dataset mount (URL and plain options) at apply time, e.g. against the file-root and
   * endpoint allowlists; throwing refuses the whole apply.
   */
  checkMount?: (mount: { url: string; options: Record<string, string> }) => void;
}

export class ManifestStore {
  readonly #journal: Journal;
  readonly #checkMount: ManifestStoreOptions['checkMount'];

  constructor(journal: Journal, options: ManifestStoreOptions = {}) {
    this.#journal = journal;
    this.#checkMount = options.checkMount;
  }

  get<M extends Manifest = Manifest>(cat: ManifestCategory, name: string): StoredManifest<M> | undefined {
    return this.#journal.get<StoredManifest<M>>(keyOf(cat, name));
  }

  list<M extends Manifest = Manifest>(cat: ManifestCategory): Array<StoredManifest<M>> {
    return this.#journal.entries<StoredManifest<M>>(`${PREFIX}${cat}/`).map(([, v]) => v);
  }

  dataset(name: string): DatasetManifest | undefined { return this.get<DatasetManifest>('Dataset', name)?.manifest; }
  runtime(name: string): RuntimeManifest | undefined { return this.get<RuntimeManifest>('Runtime', name)?.manifest; }
  secret(name: string): SecretManifest | undefined { return this.get<SecretManifest>('Secret', name)?.manifest; }
  dataLoad(name: string): DataLoadManifest | undefined { return this.get<DataLoadManifest>('DataLoad', name)?.manifest; }

  /**
   * Parses, validates and stores every document of `text` (multi-document YAML or JSON).
   * Nothing is stored unless every document is valid.
   */
  async apply(text: string, now = Date.now()): Promise<ApplyOutcome[]> {
    const docs: Manifest[] = parseManifests(text);
    this.#crossValidate(docs);
    const out: ApplyOutcome[] = [];
    const ops: JournalOp[] = [];
    for (const m of docs) {
      const cat = categoryOf(m.kind);
      const key = keyOf(cat, m.metadata.name);
      const old = this.#journal.get<StoredManifest>(key);
      let action: ApplyAction = 'created';
      if (old) action = JSON.stringify(old.manifest) === JSON.stringify(m) ? 'unchanged' : 'configured';
      if (action !== 'unchanged') {
        ops.push({ key, value: { manifest: m, createdMs: old?.createdMs ?? now, updatedMs: now } satisfies StoredManifest });
      }
      out.push({ kind: m.kind, name: m.metadata.name, action, manifest: m });
    }
    // One journal record: a crash mid-apply leaves all documents or none, never a Dataset
    // without the Secret it refers to.
    await this.#journal.batch(ops);
    return out;
  }

  /** Deletes one object; false if it did not exist. */
  async delete(cat: ManifestCategory, name: string): Promise<boolean> {
    return await this.#journal.delete(keyOf(cat, name));
  }

  /**
   * Objects are stored by kind and name: an object of another namespace with the same name would
   * replace this one (a Secret of namespace Y would silently take the place of X's), so it is refused.
   */
  #checkNamespaces(docs: Manifest[]): void {
    const seen = new Map<string, string>();
    for (const m of docs) {
      const cat = categoryOf(m.kind);
      const key = keyOf(cat, m.metadata.name);
      const other = seen.get(key) ?? this.get(cat, m.metadata.name)?.manifest.metadata.namespace;
      if (other !== undefined && other !== m.metadata.namespace) {
        throw new ValidationError(`${cat} "${m.metadata.name}" of namespace "${m.metadata.namespace}": a ${cat} of that name exists in namespace `
          + `"${other}", and this master keeps one ${cat} per name; give it another name`, 'metadata.namespace');
      }
      seen.set(key, m.metadata.namespace);
    }
  }

  /** Cross-document checks against the Secrets already stored: every secretKeyRef must resolve. */
  #crossValidate(docs: Manifest[]): void {
    this.#checkNamespaces(docs);
    const batch = new Set(docs.filter((m) => m.kind === 'Secret').map((m) => m.metadata.name));
    const existing = this.list<SecretManifest>('Secret').map((s) => s.manifest).filter((s) => !batch.has(s.metadata.name));
    validateManifestSet(docs, existing);
    const check = this.#checkMount;
    if (!check) return;
    for (const m of docs) {
      if (m.kind !== 'Dataset') continue;
      for (const mount of m.spec.mounts) check({ url: mount.mountPoint.replace(/^local:\/\//i, 'file://'), options: mount.options });
    }
  }

  /**
   * The mount options of a dataset with Secret values substituted (for the namespace and workers;
   * never log the result), or with `withSecrets` false its plain options only (what a client gets).
   */
  resolveMounts(dataset: DatasetManifest, withSecrets = true): Array<{ url: string; path: string; options: Record<string, string> }> {
    return dataset.spec.mounts.map((m) => {
      const options: Record<string, string> = { ...m.options };
      if (!withSecrets) return { url: m.mountPoint.replace(/^local:\/\//i, 'file://'), path: m.path, options };
      for (const eo of m.encryptOptions) {
        const ref = eo.valueFrom.secretKeyRef;
        // Objects are stored by name: a Secret of the same name in another namespace is not this one.
        const secret = this.secret(ref.name);
        const value = secret?.metadata.namespace === dataset.metadata.namespace ? secret.values[ref.key] : undefined;
        if (value === undefined) {
          const where = `Secret ${ref.name} key ${ref.key} in namespace ${dataset.metadata.namespace}`;
          throw new NotFoundError(`dataset ${dataset.metadata.name}: option ${eo.name} refers to ${where}, which does not exist`);
        }
        options[eo.name] = value;
      }
      // Fluid's `local://` is a directory on the host, which is what `file://` means here.
      const url = m.mountPoint.replace(/^local:\/\//i, 'file://');
      return { url, path: m.path, options };
    });
  }
}

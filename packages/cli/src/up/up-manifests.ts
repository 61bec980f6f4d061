// The manifests `eddy up` runs: read from one or more -f files (relative file:// URLs made
// absolute per file), validated locally before anything starts, and split so DataLoads can be
// applied after the workers are live (a Once load applied earlier would find no worker).
import { parseAllDocuments } from 'yaml';
import { parseManifests, type DatasetManifest, type RuntimeManifest } from '@eddy/manifest';
import { ValidationError } from '@eddy/core';
import type { CliIo } from '../cli-io.js';
import { readManifestInput, resolveRelativeFileUrls } from '../manifest-input.js';

export interface UpManifests {
  /** Every document (the full set to apply). */
  text: string;
  /** Every document except DataLoads. */
  withoutDataLoads: string;
  runtimes: RuntimeManifest[];
  /** The dataset to mount. */
  dataset: DatasetManifest;
  dataLoadCount: number;
  /** Names of the DataLoads (for the "try next" hints). */
  dataLoadNames: string[];
  /**
   * The directories of the file:// mounts in these files: the only ones `eddy up`'s master and
   * workers allow (`--allow-file-root`), so a later apply cannot mount, say, the journal's directory.
   */
  fileRoots: string[];
}

export async function readUpManifests(files: string[], datasetName: string | undefined, io: CliIo): Promise<UpManifests> {
  const parts: string[] = [];
  for (const file of files) {
    const input = await readManifestInput(file, io);
    let text = resolveRelativeFileUrls(input.text, input.baseDir);
    if (!text.endsWith('\n')) text += '\n';
    parts.push(text);
  }
  const text = parts.join('---\n');
  const manifests = parseManifests(text);
  const datasets = manifests.filter((m): m is DatasetManifest => m.kind === 'Dataset');
  const runtimes = manifests.filter((m): m is RuntimeManifest => m.kind === 'JindoRuntime' || m.kind === 'AlluxioRuntime');
  if (runtimes.length === 0) throw new ValidationError(`${files.join(', ')}: no JindoRuntime or AlluxioRuntime: eddy up starts the Runtime's workers`, 'runtime');
  let dataset: DatasetManifest | undefined;
  if (datasetName) {
    dataset = datasets.find((d) => d.metadata.name === datasetName);
    if (!dataset) throw new ValidationError(`--dataset ${datasetName}: no Dataset of that name in ${files.join(', ')}`, '--dataset');
  } else {
    const bound = datasets.filter((d) => runtimes.some((r) => r.metadata.name === d.metadata.name));
    if (bound.length > 1) throw new ValidationError(`several Datasets have a Runtime (${bound.map((d) => d.metadata.name).join(', ')}): pick one with --dataset`, '--dataset');
    dataset = bound[0];
    if (!dataset) throw new ValidationError(`no Dataset with a Runtime of the same name in ${files.join(', ')} (a Runtime serves the Dataset named like it)`, 'dataset');
  }
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const kept = list.filter((d) => (d.toJS() as { kind?: unknown } | null)?.kind !== 'DataLoad');
  const withoutDataLoads = kept.map((d) => {
    const s = d.toString();
    return s.startsWith('---') ? s : `---\n${s}`;
  }).join('');
  return { text, withoutDataLoads, runtimes, dataset, dataLoadCount: manifests.filter((m) => m.kind === 'DataLoad').length,
    dataLoadNames: manifests.filter((m) => m.kind === 'DataLoad').map((m) => m.metadata.name),
    fileRoots: datasets.flatMap((d) => d.spec.mounts.map((m) => m.mountPoint.replace(/^local:\/\//i, 'file://')))
      .filter((u) => u.startsWith('file:///')).map((u) => u.slice('file://'.length)) };
}

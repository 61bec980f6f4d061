// The dataset label of every Eddy metric. Dataset names are chosen by whoever applies manifests,
// and some reach a process from the wire (a client's block reference, a client's read report), so
// the label set is bounded here: the first MAX_DATASET_LABELS valid names keep their own series and
// the rest share `_other`. That, with fixed enums for every other label, is what bounds the series
// count of a process (see README: series bound); paths, block ids and worker ids are never labels.

/** Datasets with their own series in one process; later ones are counted under OTHER_DATASET. */
export const MAX_DATASET_LABELS = 64;
/** Label value shared by datasets past the bound and by names that are not valid dataset names. */
export const OTHER_DATASET = '_other';

/** A dataset name as manifests allow it: a lowercase DNS-1123 subdomain. */
const DATASET_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export class DatasetLabels {
  readonly #seen = new Set<string>();
  readonly #max: number;

  constructor(max = MAX_DATASET_LABELS) {
    this.#max = max;
  }

  /** The label value for `dataset`: the name itself while the bound allows, else OTHER_DATASET. */
  of(dataset: string): string {
    if (this.#seen.has(dataset)) return dataset;
    if (dataset.length > 253 || !DATASET_NAME.test(dataset) || this.#seen.size >= this.#max) return OTHER_DATASET;
    this.#seen.add(dataset);
    return dataset;
  }

  /** Frees a deleted dataset's place (its series should be removed by the caller). */
  forget(dataset: string): void {
    this.#seen.delete(dataset);
  }

  get size(): number {
    return this.#seen.size;
  }
}

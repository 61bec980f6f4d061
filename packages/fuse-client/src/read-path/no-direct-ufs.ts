// The last-resort source of a mount without direct bucket access (the default): it holds no
// cloud credentials, so when no worker could serve a block (each one reads a miss through from
// the bucket) the read fails with a typed error instead of reaching for the bucket itself.
import { UnavailableError } from '@eddy/core';
import type { UfsSource } from './sources.js';

export class NoDirectUfs implements UfsSource {
  readonly #dataset: string;

  constructor(dataset: string) {
    this.#dataset = dataset;
  }

  read(path: string): Promise<Buffer> {
    return Promise.reject(new UnavailableError(
      `${this.#dataset}:${path}: no worker could serve the read, and this mount does not read the bucket itself (eddy mount --direct-ufs)`,
    ));
  }

  async close(): Promise<void> { /* nothing held */ }
}

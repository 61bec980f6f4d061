// A filesystem under test: something that shows the bucket's files under `root`.
import type { FixtureFile } from '../fixture.js';

/** floor: a measurement tool (an ideal minimal pipeline, e.g. s3-passthrough), not a product. */
export type TargetKind = 'peer' | 'eddy' | 'ceiling' | 'floor';

export interface FsTarget {
  readonly name: string;
  readonly kind: TargetKind;
  /** Directory where the bucket's root appears. */
  readonly root: string;
  /** Human-readable version and configuration, for RESULTS.md. */
  describe(): string;
  start(): Promise<void>;
  /** Forgets everything the target cached (remount with an empty cache). */
  makeCold(): Promise<void>;
  /** Brings `files` into the target's cache the way a user would (Eddy: DataLoad; peers: a full read). Returns ms. */
  warm(files: FixtureFile[]): Promise<number>;
  /**
   * Time the target spent listing the bucket before its mount could answer (Eddy's master lists
   * when the Dataset is applied); peers list inside find itself, so they have none.
   */
  readonly listingMs?: number | undefined;
  /** Makes a changed object visible (Eddy: a DataLoad with metadata sync; peers: nothing, they rely on their own expiry). */
  refresh?(): Promise<void>;
  close(): Promise<void>;
}

/** S3 connection data every target gets. */
export interface S3Access {
  endpoint: string;
  host: string;
  port: number;
  accessKey: string;
  secretKey: string;
  region: string;
  bucket: string;
}

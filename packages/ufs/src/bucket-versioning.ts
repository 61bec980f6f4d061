// Whether a bucket keeps object versions, for the s3:// and oss:// drivers: a listing of such a
// bucket goes through ListObjectVersions so that every entry carries its versionId.
import { AccessDeniedError, EddyError, type Logger } from '@eddy/core';

/** How long the answer is trusted before the bucket is asked again (versioning can be enabled at any time). */
const RECHECK_MS = 60_000;

export class BucketVersioning {
  readonly #ask: () => Promise<string | undefined>;
  readonly #logger: Logger;
  #answer: { at: number; keeps: Promise<boolean> } | undefined;

  /** `ask` returns the bucket's versioning status (`Enabled`, `Suspended`, or nothing when never set). */
  constructor(ask: () => Promise<string | undefined>, logger: Logger) {
    this.#ask = ask;
    this.#logger = logger;
  }

  /**
   * True when versioning is Enabled, or Suspended (older versions still have ids). A store or policy
   * that does not answer (access denied, not implemented) counts as false: listings then carry no
   * versionIds, as before. Transport failures reject, and the next call asks again.
   */
  async keepsVersions(): Promise<boolean> {
    const now = Date.now();
    if (!this.#answer || now - this.#answer.at > RECHECK_MS) {
      const keeps = this.#ask().then(
        (status) => status === 'Enabled' || status === 'Suspended',
        (err: unknown) => {
          if (err instanceof AccessDeniedError || (err instanceof EddyError && err.code === 'INTERNAL')) {
            this.#logger.warn({ err }, 'bucket versioning unknown; listing without versionIds');
            return false;
          }
          if (this.#answer?.keeps === keeps) this.#answer = undefined;
          throw err;
        },
      );
      this.#answer = { at: now, keeps };
    }
    return await this.#answer.keeps;
  }
}

/** The "null" version (written while versioning was off) is replaced in place by an overwrite, so it pins nothing. */
export function versionIdField(versionId: string | null | undefined): { versionId?: string } {
  return versionId && versionId !== 'null' ? { versionId } : {};
}

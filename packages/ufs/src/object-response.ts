// What the S3 and OSS drivers decide the same way about an object store's answers: directory
// entries from common prefixes, and whether a GET's response belongs to the version asked for.
import { VersionMismatchError } from '@eddy/core';
import type { UfsListEntry } from './under-file-system.js';
import { stripEtag } from './map-store-error.js';
import { MissingVersionError } from './ufs-errors.js';

/** Directory entries for a listing's common prefixes (`a/b/`), relative to the mount's prefix. */
export function* prefixDirectories(prefixes: readonly string[], mountPrefix: string): Iterable<UfsListEntry> {
  for (const p of prefixes) {
    const rel = p.slice(mountPrefix.length).replace(/\/$/, '');
    if (rel !== '') yield { path: rel, size: 0, version: '', mtimeMs: 0, isDirectory: true };
  }
}

/** The version a read asked for: an ETag (If-Match) and/or a store version id. */
export interface WantedVersion {
  ifMatch?: string;
  versionId?: string;
}

/**
 * Throws unless a GET response carries the version that was asked for. Stores may ignore
 * If-Match on GET, and a store without versioning may ignore versionId and send the current
 * object: either way the bytes would be another version's, so they are refused here. The caller
 * destroys the response body when this throws.
 */
export function checkResponseVersion(
  where: string, want: WantedVersion, got: { etag: string | undefined; versionId: string | undefined },
): void {
  if (want.versionId !== undefined && got.versionId !== undefined && got.versionId !== want.versionId) {
    throw new VersionMismatchError(`${where}: the store sent version ${got.versionId}, not ${want.versionId}`);
  }
  if (want.ifMatch === undefined) return;
  const etag = stripEtag(got.etag);
  if (etag === '') throw new MissingVersionError(`${where}: the store sent no ETag, so the bytes cannot be tied to version ${want.ifMatch}`);
  if (etag !== want.ifMatch) throw new VersionMismatchError(`${where}: the object is at version ${etag}, not ${want.ifMatch}`);
}

/** Throws when a stat's version is not the If-Match a read asked for (an empty range has no body to check). */
export function checkStatVersion(where: string, want: WantedVersion, version: string): void {
  if (want.ifMatch !== undefined && version !== want.ifMatch) {
    throw new VersionMismatchError(`${where}: the object is at version ${version}, not ${want.ifMatch}`);
  }
}

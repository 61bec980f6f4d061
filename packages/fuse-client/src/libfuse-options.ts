// Turns typed FuseOptions into the single `-o` argument libfuse 2.9 receives, and a fuse-native
// subclass that passes it. fuse-native builds its own option string from a fixed list that lacks
// `ro` and `negative_timeout` (and drops falsy timeouts), so we replace that list entirely.
import Fuse from 'fuse-native';
import type { FuseOptions } from '@eddy/manifest';
import { ValidationError } from '@eddy/core';

/** fuse-native copies the option string into a 1024-byte buffer. */
const MAX_OPTION_STRING = 1000;

/**
 * The libfuse option list for `opts`.
 *
 * Page cache (documented in README): neither `kernel_cache` nor `auto_cache` is passed to
 * libfuse. libfuse would set keep_cache on every open from them (kernel_cache keeps pages of a
 * file whose bytes changed at the same size, even after its mtime changed; auto_cache decides per
 * path, not per version). Eddy decides keep_cache and direct_io itself at each open, per version
 * (PageCachePolicy); `kernel_cache` / `auto_cache` only say that pages may be kept across opens of
 * an unchanged version. `auto_inval_data` does not exist in libfuse 2.9 (passing it breaks the mount).
 */
export function libfuseOptionList(opts: FuseOptions, names: { fsname: string; subtype: string }): string[] {
  const out: string[] = [];
  if (opts.readOnly) out.push('ro');
  out.push(`attr_timeout=${opts.attrTimeout}`);
  out.push(`entry_timeout=${opts.entryTimeout}`);
  out.push(`negative_timeout=${opts.negativeTimeout}`);
  // libfuse takes the timeouts as doubles.
  if (opts.maxRead !== undefined) out.push(`max_read=${opts.maxRead}`);
  if (opts.allowOther) out.push('allow_other');
  out.push(`fsname=${names.fsname}`, `subtype=${names.subtype}`);
  for (const e of opts.extra) {
    // Refuse options that would take the page cache decision from Eddy, or mount something different.
    if (e === 'kernel_cache' || e === 'auto_cache') continue;
    if (/^(fsname|subtype)=/.test(e)) continue;
    out.push(e);
  }
  const joined = out.join(',');
  if (joined.length > MAX_OPTION_STRING) throw new ValidationError(`fuse options too long (${joined.length} characters)`, 'fuseOptions');
  return out;
}

/** fuse-native with an explicit libfuse option list. */
export class EddyFuse extends Fuse {
  readonly #options: string[];
  constructor(mountpoint: string, ops: ConstructorParameters<typeof Fuse>[1], options: string[], timeoutMs: number) {
    super(mountpoint, ops, { mkdir: false, force: false, timeout: timeoutMs });
    this.#options = options;
  }

  override _fuseOptions(): string {
    return `-o${this.#options.join(',')}`;
  }
}

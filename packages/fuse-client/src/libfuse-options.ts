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
 * Page cache mapping (documented in README): `kernel_cache` is never passed to libfuse. With it,
 * libfuse 2.9 keeps pages of a file whose bytes changed but whose size did not, even after its
 * mtime changed, so a refreshed version could be served from stale pages. Both `kernel_cache`
 * and `auto_cache` therefore become `auto_cache`: pages stay cached across opens while the file's
 * mtime and size are unchanged (the speed kernel_cache promises) and are dropped at the next open
 * after either changes. `auto_inval_data` does not exist in libfuse 2.9 (passing it breaks the mount).
 */
export function libfuseOptionList(opts: FuseOptions, names: { fsname: string; subtype: string }): string[] {
  const out: string[] = [];
  if (opts.readOnly) out.push('ro');
  if (opts.kernelCache || opts.autoCache) out.push('auto_cache');
  out.push(`attr_timeout=${opts.attrTimeout}`);
  out.push(`entry_timeout=${opts.entryTimeout}`);
  out.push(`negative_timeout=${opts.negativeTimeout}`);
  // libfuse takes the timeouts as doubles; its attr cache is also consulted by auto_cache, so
  // `ac_attr_timeout` follows attr_timeout (the libfuse default) and is not set separately.
  if (opts.maxRead !== undefined) out.push(`max_read=${opts.maxRead}`);
  if (opts.allowOther) out.push('allow_other');
  out.push(`fsname=${names.fsname}`, `subtype=${names.subtype}`);
  for (const e of opts.extra) {
    // Refuse options that would undo the mapping above or mount something different.
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

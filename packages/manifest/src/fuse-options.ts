// FUSE mount options from a Runtime's `fuse.args` (and `eddy mount -o` overrides), typed once
// here so the FUSE client never parses strings. Defaults follow Fluid: read-only datasets get
// kernel_cache + ro with 7200 s timeouts, read-write datasets auto_cache with 0 s timeouts.
import { ValidationError } from '@eddy/core';
import { quoteValue } from './quantity.js';
import { hasControlCharacter } from './text-checks.js';

export type AccessMode = 'ReadOnlyMany' | 'ReadWriteMany';
export const ACCESS_MODES: readonly AccessMode[] = ['ReadOnlyMany', 'ReadWriteMany'];

export interface FuseOptions {
  /** Keep the kernel page cache across opens (`kernel_cache`; honoured with auto_cache semantics, see DESIGN). */
  kernelCache: boolean;
  /** Drop cached pages when size or mtime changes (`auto_cache`). */
  autoCache: boolean;
  /** Mount read-only (`ro`). Always true for ReadOnlyMany datasets. */
  readOnly: boolean;
  /** Seconds the kernel (and the client's caches) keep attributes. */
  attrTimeout: number;
  /** Seconds name lookups are cached. */
  entryTimeout: number;
  /** Seconds failed lookups are cached. */
  negativeTimeout: number;
  /** Largest read request in bytes (`max_read`). */
  maxRead?: number;
  /** Let other users access the mount (`allow_other`). */
  allowOther?: boolean;
  /** Options passed to libfuse unchanged, as `name` or `name=value`. */
  extra: string[];
}

/** Fluid's defaults for a dataset of the given access mode. */
export function defaultFuseOptions(accessMode: AccessMode): FuseOptions {
  return accessMode === 'ReadWriteMany'
    ? { kernelCache: false, autoCache: true, readOnly: false, attrTimeout: 0, entryTimeout: 0, negativeTimeout: 0, extra: [] }
    : { kernelCache: true, autoCache: false, readOnly: true, attrTimeout: 7200, entryTimeout: 7200, negativeTimeout: 7200, extra: [] };
}

type Kind = 'flag' | 'seconds' | 'uint' | 'string';
const INTERPRETED: Record<string, Kind> = {
  kernel_cache: 'flag', auto_cache: 'flag', ro: 'flag', rw: 'flag', allow_other: 'flag',
  attr_timeout: 'seconds', entry_timeout: 'seconds', negative_timeout: 'seconds', max_read: 'uint',
};
// libfuse 2 options Eddy does not interpret but passes through; anything else is a typo or an
// option of another FUSE implementation, and is refused rather than silently ignored.
const PASSTHROUGH: Record<string, Kind> = {
  allow_root: 'flag', default_permissions: 'flag', direct_io: 'flag', nonempty: 'flag', big_writes: 'flag',
  async_read: 'flag', sync_read: 'flag', use_ino: 'flag', readdir_ino: 'flag', hard_remove: 'flag',
  max_readahead: 'uint', max_write: 'uint', uid: 'uint', gid: 'uint', umask: 'string', fsname: 'string', subtype: 'string',
};
const KNOWN = [...Object.keys(INTERPRETED), ...Object.keys(PASSTHROUGH)].join(', ');

function checkValue(name: string, kind: Kind, value: string | undefined, field: string): number | string | undefined {
  if (kind === 'flag') {
    if (value !== undefined) throw new ValidationError(`fuse option "${name}" takes no value (got ${quoteValue(`${name}=${value}`)})`, field);
    return undefined;
  }
  if (value === undefined || value === '') throw new ValidationError(`fuse option "${name}" needs a value, e.g. ${name}=${kind === 'seconds' ? '60' : '131072'}`, field);
  if (kind === 'seconds') {
    if (!/^(?:\d+(?:\.\d*)?|\.\d+)$/.test(value) || Number(value) > 1e9) {
      throw new ValidationError(`fuse option "${name}" needs a non-negative number of seconds, got ${quoteValue(value)}`, field);
    }
    return Number(value);
  }
  if (kind === 'uint') {
    if (!/^\d{1,15}$/.test(value)) throw new ValidationError(`fuse option "${name}" needs a non-negative integer, got ${quoteValue(value)}`, field);
    return Number(value);
  }
  if (name === 'umask' && !/^[0-7]{1,4}$/.test(value)) throw new ValidationError(`fuse option "umask" needs an octal mask such as 022, got ${quoteValue(value)}`, field);
  if (!/^[A-Za-z0-9._:@/+-]+$/.test(value)) throw new ValidationError(`fuse option "${name}" has an unsafe value ${quoteValue(value)}`, field);
  return value;
}

/**
 * Parse FUSE arguments in any of the forms `-okernel_cache`, `-o kernel_cache`,
 * `-okernel_cache,ro` or `-o` followed by a separate argument, on top of `base`
 * (default: Fluid's defaults for `accessMode`). Later options override earlier ones.
 * An unknown option throws a ValidationError naming it (field `args[i]`).
 */
export function parseFuseArgs(args: readonly string[], accessMode: AccessMode = 'ReadOnlyMany', base?: FuseOptions): FuseOptions {
  const out: FuseOptions = base ? { ...base, extra: [...base.extra] } : defaultFuseOptions(accessMode);
  for (let i = 0; i < args.length; i++) {
    const field = `args[${i}]`;
    const arg = args[i];
    if (typeof arg !== 'string') throw new ValidationError(`fuse argument must be a string, got ${arg === null ? 'null' : typeof arg}`, field);
    if (hasControlCharacter(arg)) throw new ValidationError(`fuse argument ${quoteValue(arg)} contains control characters`, field);
    const trimmed = arg.trim();
    let list: string;
    if (trimmed === '-o') {
      const next = args[i + 1];
      if (typeof next !== 'string' || next.trim() === '' || next.trim().startsWith('-')) {
        throw new ValidationError('"-o" must be followed by options, e.g. -o kernel_cache', field);
      }
      list = next.trim();
      i++;
    } else if (trimmed.startsWith('-o')) {
      list = trimmed.slice(2).trim();
    } else if (trimmed === '') {
      continue;
    } else {
      throw new ValidationError(`unsupported fuse argument ${quoteValue(arg)}; Eddy accepts -o options only (e.g. -okernel_cache)`, field);
    }
    for (const item of list.split(',')) {
      const opt = item.trim();
      if (opt === '') continue;
      const eq = opt.indexOf('=');
      const name = eq < 0 ? opt : opt.slice(0, eq);
      const value = eq < 0 ? undefined : opt.slice(eq + 1);
      const interpreted = INTERPRETED[name];
      const passthrough = PASSTHROUGH[name];
      if (interpreted === undefined && passthrough === undefined) {
        throw new ValidationError(`unknown fuse option ${quoteValue(name)} in ${quoteValue(arg)}; known options: ${KNOWN}`, field);
      }
      const v = checkValue(name, (interpreted ?? passthrough) as Kind, value, field);
      switch (name) {
        case 'kernel_cache': out.kernelCache = true; break;
        case 'auto_cache': out.autoCache = true; break;
        case 'ro': out.readOnly = true; break;
        case 'rw':
          if (accessMode !== 'ReadWriteMany') throw new ValidationError('fuse option "rw" needs a ReadWriteMany dataset; ReadOnlyMany datasets are always mounted read-only', field);
          out.readOnly = false;
          break;
        case 'allow_other': out.allowOther = true; break;
        case 'attr_timeout': out.attrTimeout = v as number; break;
        case 'entry_timeout': out.entryTimeout = v as number; break;
        case 'negative_timeout': out.negativeTimeout = v as number; break;
        case 'max_read':
          if ((v as number) < 4096) throw new ValidationError(`fuse option "max_read" must be at least 4096 bytes, got ${String(v)}`, field);
          out.maxRead = v as number;
          break;
        default: {
          // The last occurrence of a pass-through option wins, as for the interpreted ones.
          out.extra = out.extra.filter((e) => e !== name && !e.startsWith(`${name}=`));
          out.extra.push(opt);
        }
      }
    }
  }
  if (accessMode !== 'ReadWriteMany') out.readOnly = true;
  return out;
}

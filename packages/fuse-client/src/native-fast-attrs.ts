// The fast attr table of one mount over the patched fuse-native (fuse-native.c, "the fast attr
// table"; FastAttrs keeps it equal to JS's answers), and the getattrs its libfuse threads answered
// there: they never reach JavaScript, so drain() books them in the FUSE-operation counter, as
// NativeFastReads does for reads.
import type Fuse from 'fuse-native';
import type { FuseStat } from 'fuse-native';
import type { FastAttrTable } from './fast-attrs.js';

export class NativeFastAttrs implements FastAttrTable {
  #fuse: Fuse | undefined;

  /** The mount, once created; until then nothing is put and JS answers every getattr. */
  attach(fuse: Fuse): void {
    this.#fuse = fuse;
  }

  put(path: string, stat: FuseStat, untilMs: number, maxEntries: number): number {
    return this.#fuse?.fastAttrPut?.(path, stat, untilMs, maxEntries) ?? -1;
  }

  remove(path: string): number {
    return this.#fuse?.fastAttrRemove?.(path) ?? -1;
  }

  clear(): void {
    this.#fuse?.fastAttrClear?.();
  }

  /** Books the getattrs answered in C since the last call: `fuseGetattrs(n)`. */
  drain(fuseGetattrs: (ops: number) => void): void {
    const n = this.#fuse?.fastAttrTake?.() ?? 0;
    if (n > 0) fuseGetattrs(n);
  }
}

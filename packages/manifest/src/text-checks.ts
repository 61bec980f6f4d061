// Small checks on untrusted text shared by the manifest parsers.

/** True if `s` holds NUL, another C0 control character or DEL (tab included). */
export function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

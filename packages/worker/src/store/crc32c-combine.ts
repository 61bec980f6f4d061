// CRC32C of a concatenation from the CRCs of its parts (zlib's crc32_combine, for the Castagnoli
// polynomial): a block fetched as several ranges in parallel is checksummed part by part as the
// bytes arrive, in any order, and the block's CRC is put together at the end without reading the
// file back.

/** The reflected Castagnoli polynomial, as @node-rs/crc32's crc32c uses it. */
const POLY = 0x82f63b78;

function gf2Times(mat: Uint32Array, vec: number): number {
  let sum = 0;
  for (let i = 0; vec !== 0; i++, vec >>>= 1) if (vec & 1) sum ^= mat[i]!;
  return sum >>> 0;
}

function gf2Square(square: Uint32Array, mat: Uint32Array): void {
  for (let n = 0; n < 32; n++) square[n] = gf2Times(mat, mat[n]!);
}

/**
 * CRC32C of A‖B given crc32c(A), crc32c(B) and B's length: the CRCs as @node-rs/crc32's
 * `crc32c(bytes)` returns them (signed or unsigned). The result is unsigned.
 */
export function crc32cCombine(crcA: number, crcB: number, lengthB: number): number {
  if (lengthB <= 0) return crcA >>> 0;
  const even = new Uint32Array(32);
  const odd = new Uint32Array(32);
  // The operator for one zero bit, then two, then four: squared once per bit of the length.
  odd[0] = POLY;
  for (let n = 1, row = 1; n < 32; n++, row <<= 1) odd[n] = row >>> 0;
  gf2Square(even, odd);
  gf2Square(odd, even);
  let crc = crcA >>> 0;
  let len = lengthB;
  // Each round applies len's next bit worth of zero bytes (one byte = 8 bits, hence the two squarings above).
  do {
    gf2Square(even, odd);
    if (len % 2 === 1) crc = gf2Times(even, crc);
    len = Math.floor(len / 2);
    if (len === 0) break;
    gf2Square(odd, even);
    if (len % 2 === 1) crc = gf2Times(odd, crc);
    len = Math.floor(len / 2);
  } while (len !== 0);
  return (crc ^ (crcB >>> 0)) >>> 0;
}

// Rendezvous (highest-random-weight) hashing: every client that knows the same set of live
// workers picks the same worker for a block key, and when a worker joins only the keys it now
// wins (about 1/N of them) move; when one leaves only its own keys move.
//
// The score is integer arithmetic (FNV-1a of key and node, mixed with murmur3's finalizer), not a
// SHA-256 per (key, node): a lookup scores every live worker, and with 100 workers SHA-256 cost
// ~0.7 ms of CPU per block (bench/results/master-scale.md), the largest cost of GetBlockLocations.
// Deterministic on every host and Node version; block keys are already SHA-256 digests, so the
// inputs are uniform and a fast mix spreads them as well.

/** FNV-1a (32-bit) of a string's UTF-16 code units, from `seed`. */
function fnv1a(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's 32-bit finalizer: every input bit flips each output bit with probability ~1/2. */
function fmix32(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const SEED_A = 0x811c9dc5;
const SEED_B = 0x9747b28c;

interface KeyHash { a: number; b: number }

function keyHash(s: string): KeyHash {
  return { a: fnv1a(s, SEED_A), b: fnv1a(s, SEED_B) };
}

/** 53-bit score of (key, node) from the two hashes; exact in a double, so comparisons are exact. */
function score(k: KeyHash, n: KeyHash): number {
  const hi = fmix32(k.a ^ fmix32(n.a));
  const lo = fmix32(k.b ^ fmix32((n.b + hi) >>> 0));
  return hi * 2 ** 21 + (lo >>> 11);
}

/** Score of (key, node): the higher, the more `node` is preferred for `key`. */
export function rendezvousScore(key: string, node: string): number {
  return score(keyHash(key), keyHash(node));
}

/** The node with the highest score for `key`, or undefined when there are no nodes. Ties break by node id. */
export function rendezvousPick(key: string, nodes: readonly string[]): string | undefined {
  const k = keyHash(key);
  let best: string | undefined;
  let bestScore = -1;
  for (const n of nodes) {
    const s = score(k, keyHash(n));
    if (s > bestScore || (s === bestScore && best !== undefined && n < best)) {
      best = n;
      bestScore = s;
    }
  }
  return best;
}

/** The `count` highest-scoring nodes for `key`, best first (for replicas > 1). */
export function rendezvousRank(key: string, nodes: readonly string[], count = nodes.length): string[] {
  const k = keyHash(key);
  return nodes
    .map((n) => ({ n, s: score(k, keyHash(n)) }))
    .sort((a, b) => (a.s === b.s ? (a.n < b.n ? -1 : 1) : a.s > b.s ? -1 : 1))
    .slice(0, count)
    .map((x) => x.n);
}

// Rendezvous (highest-random-weight) hashing: every client that knows the same set of live
// workers picks the same worker for a block key, and when a worker joins only the keys it now
// wins (about 1/N of them) move; when one leaves only its own keys move.
import { createHash } from 'node:crypto';

/** 64-bit score of (key, node), from SHA-256 so it is identical on every host and Node version. */
export function rendezvousScore(key: string, node: string): bigint {
  const h = createHash('sha256').update(key).update('\u0000').update(node).digest();
  return h.readBigUInt64BE(0);
}

/** The node with the highest score for `key`, or undefined when there are no nodes. Ties break by node id. */
export function rendezvousPick(key: string, nodes: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = -1n;
  for (const n of nodes) {
    const s = rendezvousScore(key, n);
    if (s > bestScore || (s === bestScore && best !== undefined && n < best)) {
      best = n;
      bestScore = s;
    }
  }
  return best;
}

/** The `count` highest-scoring nodes for `key`, best first (for replicas > 1). */
export function rendezvousRank(key: string, nodes: readonly string[], count = nodes.length): string[] {
  return nodes
    .map((n) => ({ n, s: rendezvousScore(key, n) }))
    .sort((a, b) => (a.s === b.s ? (a.n < b.n ? -1 : 1) : a.s > b.s ? -1 : 1))
    .slice(0, count)
    .map((x) => x.n);
}

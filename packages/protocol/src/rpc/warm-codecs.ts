// Builds the eddy.v1 message codecs ahead of the first call that needs them. protobufjs generates a
// reflection type's encode, decode, fromObject and toObject (source text, then new Function) at
// the type's first use: a daemon's first List paid that for the ten or so types of a listing on
// both ends, ~35 ms on the master and ~90 ms on the mount (the CPU profiles of
// bench/results/2026-12-01-listcodec-profile.md). A daemon calls this once it has started, when
// no request waits; each type is one short slice of the event loop, so a request arriving
// meanwhile waits for one type at most (and builds the types it needs itself if they are not
// ready). Not for short-lived commands: the `eddy` CLI bundle's codecs are static code anyway.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { messageCodec } from './message-codecs.js';
import { MEMBERS, TO_OBJECT } from './load-proto.js';

const EMPTY = Buffer.alloc(0);

/**
 * The message types of eddy.v1, those of service `first`'s methods (and what they hold) first,
 * each once: the ones its daemon serves or calls before the rest.
 */
export function codecWarmOrder(first: 'Master' | 'Worker'): string[] {
  const order = new Set<string>();
  const add = (name: string): void => {
    const fields = MEMBERS[name]?.fields;
    if (!fields || order.has(name)) return;
    order.add(name);
    for (const f of Object.values(fields)) add(f.type);
  };
  for (const m of Object.values(MEMBERS[first]?.methods ?? {})) {
    add(m.requestType.slice(m.requestType.lastIndexOf('.') + 1));
    add(m.responseType.slice(m.responseType.lastIndexOf('.') + 1));
  }
  for (const name of Object.keys(MEMBERS)) add(name);
  return [...order];
}

/**
 * Generates the codecs of every eddy.v1 message, one type per turn of the event loop, the types
 * of `first`'s methods first. Resolves when done or when `signal` aborts (a daemon closing early
 * stops warming; nothing is left half-built, a type is either built or built at its first use).
 */
export async function warmMessageCodecs(first: 'Master' | 'Worker', options: { signal?: AbortSignal } = {}): Promise<number> {
  let built = 0;
  for (const name of codecWarmOrder(first)) {
    await nextTurn();
    if (options.signal?.aborted) break;
    const codec = messageCodec(name);
    // An empty message through all four: each generates its function on a reflection type.
    codec.toObject(codec.decode(EMPTY), TO_OBJECT);
    codec.encode(codec.fromObject({}));
    built++;
  }
  return built;
}

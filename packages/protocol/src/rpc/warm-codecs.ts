// Builds the eddy.v1 message codecs ahead of the first call that needs them. protobufjs generates a
// reflection type's encode, decode, fromObject and toObject (source text, then new Function) at
// the type's first use: a daemon's first List paid that for the ten or so types of a listing on
// both ends, ~35 ms on the master and ~90 ms on the mount (CPU profiles, issue 17). Built, the
// code still runs slowly at first (V8 interprets a function until it has run often enough to be
// compiled): the first subtree List of 1,000 files took several times the CPU of the next ones
// (bench/results/2026-12-01-listcodec-cost.md), so with `exerciseList` a few small synthetic List
// replies go through both ends too. A daemon calls this once it has started, when no request
// waits; each type (and each exercise) is one short slice of the event loop, so a request arriving
// meanwhile waits for one slice at most. Not for short-lived commands: the `eddy` CLI bundle's
// codecs are static code anyway.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { messageCodec } from './message-codecs.js';
import { loadMasterProto, MEMBERS, TO_OBJECT } from './load-proto.js';
import type * as proto from '../gen/eddy/v1/index-types.js';

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

/** Synthetic List replies serialized and deserialized by `exerciseList` (enough for V8 to compile their codecs). */
const LIST_EXERCISES = 30;

/** A subtree List reply of `dirs` directories of `files` files, each with one located block, shaped as the master builds them. */
export function syntheticListReply(dirs: number, files: number): proto.ListResponse {
  const worker: proto.WorkerAddress = { workerId: 'w', dataAddress: '127.0.0.1:1', hostId: 'h', grpcAddress: '127.0.0.1:2' };
  // Values of real sizes (an mtime above 2^31, an ETag): code compiled for small numbers only would be thrown away at the first real reply.
  const info = (path: string, isDir: boolean): proto.FileInfo => (
    { path, size: isDir ? 0 : 65_536, version: `"${'0'.repeat(32)}"`, mtimeMs: 1_764_620_000_000, isDir, versionId: '' });
  const subdirs = Array.from({ length: dirs }, (_, d): proto.ListedDir => {
    const paths = Array.from({ length: files }, (_, f) => `/d${d}/f${f}`);
    return {
      path: `/d${d}`, entries: paths.map((p) => info(p, false)),
      located: paths.map((p) => ({ path: p, blocks: [{ index: 0, key: `${'0'.repeat(40)}${p}`, length: 65_536, holders: [worker], preferred: worker }] })),
    };
  });
  return { entries: subdirs.map((s) => info(s.path ?? '', true)), nextPageToken: '', located: [], blockSize: 4 << 20, subdirs };
}

export interface WarmOptions {
  signal?: AbortSignal;
  /** Also runs synthetic List replies through the List codecs (a master that answers Lists, a mount that asks them). */
  exerciseList?: boolean;
}

/**
 * Generates the codecs of every eddy.v1 message, one type per turn of the event loop, the types
 * of `first`'s methods first; with `exerciseList`, then runs LIST_EXERCISES small List replies
 * through them. Resolves with the number of types built, when done or when `signal` aborts (a
 * daemon closing early stops warming; a type is either built or built at its first use).
 */
export async function warmMessageCodecs(first: 'Master' | 'Worker', options: WarmOptions = {}): Promise<number> {
  const { signal } = options;
  let built = 0;
  for (const name of codecWarmOrder(first)) {
    await nextTurn();
    if (signal?.aborted) return built;
    const codec = messageCodec(name);
    // An empty message through all four: each generates its function on a reflection type.
    codec.toObject(codec.decode(EMPTY), TO_OBJECT);
    codec.encode(codec.fromObject({}));
    built++;
  }
  const list = loadMasterProto().eddy.v1.Master.service.List;
  for (let i = 0; options.exerciseList && i < LIST_EXERCISES; i++) {
    await nextTurn();
    if (signal?.aborted) break;
    list.responseDeserialize(list.responseSerialize(syntheticListReply(10, 10)));
  }
  return built;
}

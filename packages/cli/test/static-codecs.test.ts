// The bundle encodes and decodes with protobufjs static code (scripts/bundle-cli.mjs), the
// compiled modules with reflection types (@eddy/protocol's message-codecs.ts): both must put the
// same bytes on the wire and read the same objects back, for every method of both services.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { MethodDefinition } from '@grpc/grpc-js';
import { loadEddyProto } from '@eddy/protocol';
import { runCachedScript } from '../src/startup/cached-script.js';

const STACK = fileURLToPath(new URL('../../lib/bundle/client-stack.cjs', import.meta.url));
const TO_OBJECT = { longs: Number, enums: String, defaults: true, oneofs: true };

interface StaticCodec {
  encode(m: object): { finish(): Uint8Array };
  fromObject(o: object): object;
  decode(b: Uint8Array): object;
  toObject(m: object, o: typeof TO_OBJECT): object;
}
interface Stack { codecs: { eddy: { v1: Record<string, StaticCodec | undefined> } } }

/** A message with the kinds of field the protos use: strings, uint64s, maps, repeated, a oneof. */
const RESOURCES = {
  resources: [{
    kind: 'Dataset',
    metadata: { name: 'demo', namespace: 'default', labels: { a: 'b' }, creationTimeMs: 1_764_547_200_123 },
    dataset: { mounts: [{ mountPoint: 'file:///d', name: 'demo', path: '/', options: { k: 'v' } }] },
  }],
};

function requestType(path: string, kind: 'request' | 'response'): string {
  // The static code has no method table: the descriptor's names are the Request/Response types.
  const method = path.slice(path.lastIndexOf('/') + 1);
  return `${method}${kind === 'request' ? 'Request' : 'Response'}`;
}

test('static codecs and reflection types write the same bytes and read the same objects', () => {
  const { codecs } = runCachedScript(STACK, `${STACK}.cache`).exports as Stack;
  const { master, worker } = loadEddyProto();
  let compared = 0;
  for (const service of [master.eddy.v1.Master.service, worker.eddy.v1.Worker.service]) {
    for (const def of Object.values(service) as MethodDefinition<object, object>[]) {
      for (const [kind, serialize, deserialize] of [
        ['request', def.requestSerialize, def.requestDeserialize], ['response', def.responseSerialize, def.responseDeserialize],
      ] as const) {
        const codec = codecs.eddy.v1[requestType(def.path, kind)];
        if (!codec) continue; // a method whose types are named otherwise: checked through GetResponse below
        for (const sample of [{}, RESOURCES]) {
          const bytes = serialize(sample);
          assert.deepEqual(Buffer.from(codec.encode(codec.fromObject(sample)).finish()), bytes, `${def.path} ${kind}`);
          assert.deepEqual(codec.toObject(codec.decode(bytes), TO_OBJECT), deserialize(bytes), `${def.path} ${kind}`);
        }
        compared++;
      }
    }
  }
  assert.ok(compared >= 20, `compared ${compared} message types`);
  const get = master.eddy.v1.Master.service.Get as MethodDefinition<object, object>;
  const bytes = get.responseSerialize(RESOURCES);
  assert.ok(bytes.length > 40, 'the sample fills the message');
  assert.deepEqual(codecs.eddy.v1.GetResponse!.toObject(codecs.eddy.v1.GetResponse!.decode(bytes), TO_OBJECT), get.responseDeserialize(bytes));
});

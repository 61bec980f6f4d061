// Where load-proto.ts gets each eddy.v1 message's codec: protobufjs reflection types built from
// the JSON descriptor (gen/descriptor.ts), once, on first use. The `eddy` CLI bundle replaces this
// module with protobufjs static code generated from the same protos at build time
// (scripts/bundle-cli.mjs): the same generated encode/decode/fromObject/toObject, without building
// the types and compiling their codecs each time a short-lived command starts.
import protobuf from 'protobufjs/light.js';
import { EDDY_V1_DESCRIPTOR } from '../gen/descriptor.js';

/** What load-proto.ts uses of a message type (a reflection Type, or a static class). */
export type MessageCodec = Pick<protobuf.Type, 'encode' | 'decode' | 'fromObject' | 'toObject'>;

let root: protobuf.Root | undefined;

function eddyRoot(): protobuf.Root {
  // protobufjs's INamespace typing lacks fields its own toJSON() writes (map keyType), hence the assertion.
  return (root ??= protobuf.Root.fromJSON(EDDY_V1_DESCRIPTOR as protobuf.INamespace));
}

/** The codec of message `name` of package eddy.v1 (`GetRequest`). */
export function messageCodec(name: string): MessageCodec {
  return eddyRoot().lookupType(`eddy.v1.${name}`);
}

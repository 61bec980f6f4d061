// The gRPC service definitions of eddy.v1, built from the JSON descriptor that scripts/gen-proto.mjs
// generates from proto/ (gen/descriptor.ts), typed by the generated definitions in ../gen. Messages
// are encoded and decoded exactly as @grpc/proto-loader would (fromObject + encode; decode +
// toObject with the options below), without its .proto parser at run time: a client command such
// as `eddy get` starts without parsing text, and builds codecs only for the messages it sends.
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs/light.js';
import { EDDY_V1_DESCRIPTOR } from '../gen/descriptor.js';
import type { ProtoGrpcType as MasterProto } from '../gen/master.js';
import type { ProtoGrpcType as WorkerProto } from '../gen/worker.js';

/** How messages become objects, as the generated types say (`--longs=Number --enums=String --defaults --oneofs`). */
const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true, oneofs: true };

type MasterService = MasterProto['eddy']['v1']['Master'];
type WorkerService = WorkerProto['eddy']['v1']['Worker'];

let root: protobuf.Root | undefined;

function eddyRoot(): protobuf.Root {
  // protobufjs's INamespace typing lacks fields its own toJSON() writes (map keyType), hence the assertion.
  return (root ??= protobuf.Root.fromJSON(EDDY_V1_DESCRIPTOR as protobuf.INamespace));
}

function serializer(type: protobuf.Type): (value: object) => Buffer {
  return (value) => {
    if (Array.isArray(value)) throw new TypeError(`${type.fullName}: expected an object, got an array`);
    const bytes = type.encode(type.fromObject(value)).finish();
    // Under Node protobufjs writes into a Buffer already: no copy (a view otherwise).
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function deserializer(type: protobuf.Type): (bytes: Buffer) => object {
  return (bytes) => type.toObject(type.decode(bytes), TO_OBJECT);
}

/** `RegisterWorker` → `registerWorker`: grpc-js adds the method to clients under both names. */
function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** One service's unary methods, as grpc-js serves and calls them. */
function serviceDefinition(fullName: string): grpc.ServiceDefinition {
  const service = eddyRoot().lookupService(fullName);
  const definition: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const method of service.methodsArray) {
    method.resolve();
    const request = method.resolvedRequestType!;
    const response = method.resolvedResponseType!;
    definition[method.name] = {
      path: `/${fullName}/${method.name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: serializer(request),
      requestDeserialize: deserializer(request),
      responseSerialize: serializer(response),
      responseDeserialize: deserializer(response),
      originalName: lowerFirst(method.name),
    };
  }
  return definition;
}

// Each service is built on first use: a client of one service (the CLI talks only to the master)
// does not pay for the other.
let master: MasterService | undefined;
let worker: WorkerService | undefined;

function serviceClient<T>(fullName: string): T {
  const name = fullName.slice(fullName.lastIndexOf('.') + 1);
  // The generated types describe exactly this constructor (methods by name, `.service`).
  return grpc.makeGenericClientConstructor(serviceDefinition(fullName), name) as unknown as T;
}

export function loadMasterProto(): { eddy: { v1: { Master: MasterService } } } {
  return { eddy: { v1: { Master: (master ??= serviceClient<MasterService>('eddy.v1.Master')) } } };
}

export function loadWorkerProto(): { eddy: { v1: { Worker: WorkerService } } } {
  return { eddy: { v1: { Worker: (worker ??= serviceClient<WorkerService>('eddy.v1.Worker')) } } };
}

/** The Master and Worker services (`.service` to serve one, the constructor to call one). */
export function loadEddyProto(): { master: ReturnType<typeof loadMasterProto>; worker: ReturnType<typeof loadWorkerProto> } {
  return { master: loadMasterProto(), worker: loadWorkerProto() };
}

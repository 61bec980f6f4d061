// The gRPC service definitions of eddy.v1: the methods as the JSON descriptor that scripts/gen-proto.mjs
// generates from proto/ lists them (gen/descriptor.ts), typed by the generated definitions in ../gen,
// each message's codec from message-codecs.ts. Messages are encoded and decoded exactly as
// @grpc/proto-loader would (fromObject + encode; decode + toObject with the options below), without
// its .proto parser at run time: a client command such as `eddy get` starts without parsing text.
// A message with no enum anywhere in it is encoded from the plain object directly (plainEncodable).
import * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs/light.js';
import { EDDY_V1_DESCRIPTOR } from '../gen/descriptor.js';
import type { ProtoGrpcType as MasterProto } from '../gen/master.js';
import type { ProtoGrpcType as WorkerProto } from '../gen/worker.js';
import { messageCodec, type MessageCodec } from './message-codecs.js';

/** How messages become objects, as the generated types say (`--longs=Number --enums=String --defaults --oneofs`). */
export const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true, oneofs: true };

type MasterService = MasterProto['eddy']['v1']['Master'];
type WorkerService = WorkerProto['eddy']['v1']['Worker'];

interface MethodJson { requestType: string; responseType: string }
/** eddy.v1's members in the descriptor: services (methods), messages (fields) and enums (values). */
type MemberJson = { methods?: Record<string, MethodJson>; fields?: Record<string, FieldJson>; values?: unknown } | undefined;
interface FieldJson { type: string }
export const MEMBERS: Readonly<Record<string, MemberJson>> = EDDY_V1_DESCRIPTOR.nested.eddy.nested.v1.nested;

/** The proto scalar types: encode takes what the generated TypeScript types allow for them as fromObject would give them. */
const SCALARS = new Set([
  'double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'bool', 'string', 'bytes',
]);
const plain = new Map<string, boolean>();

/**
 * Whether encode() writes the same bytes from a plain object of message `name` as from
 * fromObject() of it, so the serializer skips the copy (on a List of 1,000 files with their block
 * locations, most of the master's serializing and its garbage). fromObject turns enum names into
 * numbers, which encode does not; everything else the generated types allow (numbers or decimal
 * strings for 64-bit fields, Buffers or base64 for bytes, absent or null fields) encode writes as
 * fromObject would have given it. A type outside eddy.v1 is not looked into, so it says no.
 */
export function plainEncodable(name: string): boolean {
  let ok = plain.get(name);
  if (ok === undefined) plain.set(name, (ok = enumFree(name, new Set())));
  return ok;
}

/** Whether no field of `name`, nor of the messages it holds, is an enum or a type outside eddy.v1. */
function enumFree(name: string, seen: Set<string>): boolean {
  if (seen.has(name)) return true; // a recursive message: its other fields decide
  seen.add(name);
  const fields = MEMBERS[name]?.fields;
  return fields !== undefined && Object.values(fields).every((f) => SCALARS.has(f.type) || enumFree(f.type, seen));
}

/** `GetRequest`, `.eddy.v1.GetRequest` → the message's name in eddy.v1 (every message is there). */
function messageName(typeName: string): string {
  return typeName.slice(typeName.lastIndexOf('.') + 1);
}

function serializer(fullName: string, type: MessageCodec): (value: object) => Buffer {
  const direct = plainEncodable(messageName(fullName));
  return (value) => {
    if (Array.isArray(value)) throw new TypeError(`${fullName}: expected an object, got an array`);
    const bytes = type.encode(direct ? value : type.fromObject(value)).finish();
    // Under Node protobufjs writes into a Buffer already: no copy (a view otherwise).
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function deserializer(type: MessageCodec): (bytes: Buffer) => object {
  return (bytes) => type.toObject(type.decode(bytes), TO_OBJECT);
}

/** `RegisterWorker` → `registerWorker`: grpc-js adds the method to clients under both names. */
function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** One service's unary methods, as grpc-js serves and calls them. */
function serviceDefinition(fullName: string): grpc.ServiceDefinition {
  const methods = MEMBERS[fullName.slice(fullName.lastIndexOf('.') + 1)]?.methods;
  if (!methods) throw new Error(`no service ${fullName} in the eddy.v1 descriptor`);
  const definition: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const [name, method] of Object.entries(methods)) {
    const [requestName, responseName] = [messageName(method.requestType), messageName(method.responseType)];
    const request = messageCodec(requestName);
    const response = messageCodec(responseName);
    definition[name] = {
      path: `/${fullName}/${name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: serializer(`.eddy.v1.${requestName}`, request),
      requestDeserialize: deserializer(request),
      responseSerialize: serializer(`.eddy.v1.${responseName}`, response),
      responseDeserialize: deserializer(response),
      originalName: lowerFirst(name),
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

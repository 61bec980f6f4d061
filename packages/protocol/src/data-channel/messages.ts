// The JSON documents carried by the data channel's control frames, with the schemas that parse
// them: every frame from the network goes through `parseMessage` before anything acts on it.
import { z } from 'zod';
import { ProtocolError } from '@eddy/core';
import { encodeFrame, FrameType, frameTypeName } from './frame-codec.js';

/** Protocol version sent in HELLO; a worker refuses versions it does not speak. */
export const DATA_CHANNEL_VERSION = 1;

const u53 = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const str = z.string().max(4096);

export const blockRefSchema = z.object({
  key: z.string().min(1).max(128),
  dataset: str,
  path: str,
  version: str,
  index: u53,
  blockSize: u53,
  fileSize: u53,
  /** The store's id of the pinned version in a bucket that keeps versions: the UFS is read by it. */
  versionId: str.optional(),
});
export type WireBlockRef = z.infer<typeof blockRefSchema>;

const schemas = {
  [FrameType.HELLO]: z.object({ version: z.number().int(), token: z.string().max(4096).optional() }),
  [FrameType.HELLO_OK]: z.object({ version: z.number().int(), hostId: z.string().max(256).optional() }),
  // `verify`: the reader wants END to carry the CRC32C of the bytes sent (a downstream cluster
  // checks what it will cache); workers that predate it ignore the field and send END without one.
  [FrameType.READ]: z.object({ ref: blockRefSchema, offset: u53, length: u53, verify: z.boolean().optional() }),
  [FrameType.READ_HEADER]: z.object({ length: u53, source: z.enum(['cache', 'ufs']) }),
  [FrameType.END]: z.object({ crc32c: z.number().int().nonnegative().max(0xffffffff).optional() }),
  [FrameType.ERROR]: z.object({ code: z.string().max(64), message: z.string().max(4096) }),
  [FrameType.LOCAL]: z.object({ ref: blockRefSchema }),
  [FrameType.LOCAL_OK]: z.object({ handle: u53, path: z.string().max(4096), size: u53 }),
  [FrameType.LOCAL_MISS]: z.object({}),
  [FrameType.RELEASE]: z.object({ handle: u53 }),
  [FrameType.RELEASE_OK]: z.object({}),
  [FrameType.FETCH]: z.object({ ref: blockRefSchema }),
  [FrameType.FETCH_OK]: z.object({ bytes: u53 }),
} as const;

type Schemas = typeof schemas;
export type ControlType = keyof Schemas;
export type Message<T extends ControlType> = z.infer<Schemas[T]>;

export function encodeMessage<T extends ControlType>(type: T, message: Message<T>): Buffer {
  return encodeFrame(type, Buffer.from(JSON.stringify(message)));
}

export function parseMessage<T extends ControlType>(type: T, payload: Buffer): Message<T> {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new ProtocolError(`${frameTypeName(type)} frame does not hold JSON`);
  }
  const r = (schemas[type] as z.ZodType).safeParse(json);
  if (!r.success) throw new ProtocolError(`invalid ${frameTypeName(type)} frame: ${r.error.issues[0]?.path.join('.') || ''} ${r.error.issues[0]?.message ?? ''}`.trim());
  return r.data as Message<T>;
}

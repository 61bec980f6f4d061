// A file shaped like a Hugging Face safetensors checkpoint (what vLLM loads): an 8-byte
// little-endian header length, a JSON header naming each tensor's dtype, shape and byte range
// (data_offsets, relative to the end of the header), then the tensors back to back. The layout
// follows a small transformer (attention and MLP projections of a few MiB, norms of a few KiB), so
// a reader sees the mix of large and tiny ranges a real load does. Tensor bytes are random.
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

export interface SafetensorsTensor { name: string; dtype: 'F16' | 'F32'; shape: number[]; begin: number; end: number }

export interface SafetensorsFile {
  /** The whole file: header length, header, tensors. */
  bytes: Buffer;
  tensors: SafetensorsTensor[];
  /** Offset of the first tensor byte (8 + header length). */
  dataStart: number;
  /** zlib CRC-32 of the whole file, which the mmap reader recomputes from what it read. */
  crc32: number;
}

const HIDDEN = 1024;
const MLP = 2816;

/** One decoder layer's tensors: [name, dtype, shape]. */
function layer(i: number): [string, 'F16' | 'F32', number[]][] {
  const p = `model.layers.${i}`;
  return [
    [`${p}.input_layernorm.weight`, 'F32', [HIDDEN]],
    [`${p}.self_attn.q_proj.weight`, 'F16', [HIDDEN, HIDDEN]],
    [`${p}.self_attn.k_proj.weight`, 'F16', [HIDDEN, HIDDEN]],
    [`${p}.self_attn.v_proj.weight`, 'F16', [HIDDEN, HIDDEN]],
    [`${p}.self_attn.o_proj.weight`, 'F16', [HIDDEN, HIDDEN]],
    [`${p}.post_attention_layernorm.weight`, 'F32', [HIDDEN]],
    [`${p}.mlp.gate_proj.weight`, 'F16', [MLP, HIDDEN]],
    [`${p}.mlp.up_proj.weight`, 'F16', [MLP, HIDDEN]],
    [`${p}.mlp.down_proj.weight`, 'F16', [HIDDEN, MLP]],
  ];
}

const BYTES = { F16: 2, F32: 4 } as const;

/** Builds a safetensors file of at most `maxBytes` (at least one layer's first tensors). */
export function buildSafetensors(maxBytes: number): SafetensorsFile {
  const tensors: SafetensorsTensor[] = [];
  let offset = 0;
  for (let i = 0; ; i++) {
    let full = false;
    for (const [name, dtype, shape] of layer(i)) {
      const size = shape.reduce((a, b) => a * b, BYTES[dtype]);
      // 64 KiB of headroom for the header.
      if (offset + size > maxBytes - 65536 && tensors.length > 0) { full = true; break; }
      tensors.push({ name, dtype, shape, begin: offset, end: offset + size });
      offset += size;
    }
    if (full) break;
  }
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  for (const t of tensors) header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [t.begin, t.end] };
  let json = Buffer.from(JSON.stringify(header));
  // The format pads the header with spaces so the tensors start 8-byte aligned.
  json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const bytes = Buffer.concat([len, json, randomBytes(offset)]);
  return { bytes, tensors, dataStart: 8 + json.length, crc32: crc32(bytes) };
}

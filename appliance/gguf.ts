// The header of a GGUF model file (llama.cpp's format), read before the file is trusted with a
// copy or a mount: magic, version, counts, metadata and tensor infos, each bounded, and the
// tensors' data checked to lie inside the file. Anything else is one clear line (a Failure
// "model"), never a stack trace; a person may well hand over a text file named .gguf. Pure over
// a reader: the host side opens the file (platforms/host/model-file.ts).
import { Failure } from './failures.ts';

/** The file, as far as the reader needs it: its size, and bytes at an offset (fewer at the end). */
export interface GgufSource {
  size: number;
  readAt(offset: number, length: number): Uint8Array;
}

/** A scalar of the metadata, or an array's element type and length (its values are not kept). */
export type GgufMeta = string | number | bigint | boolean | { array: string; length: number };

export interface GgufInfo {
  version: 2 | 3;
  architecture: string | null;
  name: string | null;
  metadata: Record<string, GgufMeta>;
  tensors: { name: string; dims: number[]; type: number; offset: number; bytes: number }[];
  /** Where the tensor data begins, and the file's size: the data ends inside it. */
  dataOffset: number;
  bytes: number;
}

// Caps far above any real model's, low enough that a damaged count cannot make the reader allocate or loop for long.
export const GGUF_LIMITS = { tensors: 1 << 16, keys: 1 << 16, string: 1 << 20, array: 1 << 24, header: 256 << 20, dims: 4 };
/** The largest model file taken: far past any model a computer here could run. */
export const MAX_MODEL_BYTES = 2 ** 40;

// ggml's tensor types: [elements per block, bytes per block]; a type missing here is refused by name.
// biome-ignore format: a table
const TYPES: Record<number, readonly [number, number]> = {
  0: [1, 4], 1: [1, 2], 2: [32, 18], 3: [32, 20], 6: [32, 22], 7: [32, 24], 8: [32, 34], 9: [32, 36],
  10: [256, 84], 11: [256, 110], 12: [256, 144], 13: [256, 176], 14: [256, 210], 15: [256, 292],
  16: [256, 66], 17: [256, 74], 18: [256, 98], 19: [256, 50], 20: [32, 18], 21: [256, 110], 22: [256, 82],
  23: [256, 136], 24: [1, 1], 25: [1, 2], 26: [1, 4], 27: [1, 8], 28: [1, 8], 29: [256, 56], 30: [1, 2],
  34: [256, 54], 35: [256, 66], 39: [32, 17],
};

const VALUE_TYPES = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'bool', 'string', 'array', 'u64', 'i64', 'f64'] as const;
const SCALAR_BYTES: Record<string, number> = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, bool: 1, u64: 8, i64: 8, f64: 8 };

/** What is wrong with the file, completing "<file> is not a usable GGUF model: ...". */
class Bad extends Failure {
  constructor(what: string) {
    super('model', what);
  }
}

/** Reads the file front to back through a window, so a header of a million tokens costs a few reads. */
class Cursor {
  private window: Uint8Array = new Uint8Array(0);
  private start = 0;
  pos = 0;
  constructor(private readonly f: GgufSource) {}

  take(n: number, what: string): DataView {
    if (this.pos + n > GGUF_LIMITS.header) throw new Bad(`its header is larger than ${GGUF_LIMITS.header >> 20} MiB`);
    if (this.pos + n > this.f.size) throw new Bad(`it ends in the middle of its header (${what})`);
    if (this.pos < this.start || this.pos + n > this.start + this.window.length) {
      this.start = this.pos;
      this.window = this.f.readAt(this.pos, Math.max(n, 1 << 20));
      if (this.window.length < n) throw new Bad(`it ends in the middle of its header (${what})`);
    }
    const at = this.pos - this.start;
    this.pos += n;
    return new DataView(this.window.buffer, this.window.byteOffset + at, n);
  }
  u32(what: string): number {
    return this.take(4, what).getUint32(0, true);
  }
  u64(what: string): number {
    const n = this.take(8, what).getBigUint64(0, true);
    return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
  }
  count(what: string, cap: number): number {
    const n = this.u64(what);
    if (n > cap) throw new Bad(`its ${what} (${n}) is past the ${cap} any model has`);
    return n;
  }
  string(what: string): string {
    const n = this.count(`${what} length`, GGUF_LIMITS.string);
    const v = this.take(n, what);
    return new TextDecoder('utf-8').decode(new Uint8Array(v.buffer, v.byteOffset, n));
  }
}

function scalar(c: Cursor, type: string, what: string): GgufMeta {
  if (type === 'string') return c.string(what);
  const v = c.take(SCALAR_BYTES[type]!, what);
  const values: Record<string, () => GgufMeta> = {
    u8: () => v.getUint8(0),
    i8: () => v.getInt8(0),
    u16: () => v.getUint16(0, true),
    i16: () => v.getInt16(0, true),
    u32: () => v.getUint32(0, true),
    i32: () => v.getInt32(0, true),
    f32: () => v.getFloat32(0, true),
    bool: () => v.getUint8(0) !== 0,
    u64: () => v.getBigUint64(0, true),
    i64: () => v.getBigInt64(0, true),
    f64: () => v.getFloat64(0, true),
  };
  return values[type]!();
}

function valueType(c: Cursor, what: string): string {
  const t = c.u32(what);
  const name = VALUE_TYPES[t];
  if (!name) throw new Bad(`${what} has an unknown value type ${t}`);
  return name;
}

function value(c: Cursor, key: string): GgufMeta {
  const type = valueType(c, `the type of ${key}`);
  if (type !== 'array') return scalar(c, type, key);
  const of = valueType(c, `the element type of ${key}`);
  if (of === 'array') throw new Bad(`${key} is an array of arrays`);
  const length = c.count(`${key} length`, GGUF_LIMITS.array);
  for (let i = 0; i < length; i++) {
    if (of === 'string') c.string(key);
    else c.take(SCALAR_BYTES[of]!, key);
  }
  return { array: of, length };
}

function tensorInfo(c: Cursor, i: number): GgufInfo['tensors'][number] {
  const name = c.string(`tensor ${i}'s name`);
  const nDims = c.u32(`${name}'s dimensions`);
  if (nDims < 1 || nDims > GGUF_LIMITS.dims) throw new Bad(`tensor ${name} has ${nDims} dimensions`);
  const dims = Array.from({ length: nDims }, () => c.u64(`${name}'s size`));
  const type = c.u32(`${name}'s type`);
  const offset = c.u64(`${name}'s offset`);
  const layout = TYPES[type];
  if (!layout) throw new Bad(`tensor ${name} has a tensor type (${type}) llama.cpp does not know`);
  const elements = dims.reduce((a, b) => a * b, 1);
  if (dims.some((d) => d < 1) || elements > MAX_MODEL_BYTES * 8) throw new Bad(`tensor ${name} has the impossible size ${dims.join('x')}`);
  if (dims[0]! % layout[0]) throw new Bad(`tensor ${name}'s rows do not fill whole blocks of its type`);
  return { name, dims, type, offset, bytes: (elements / layout[0]) * layout[1] };
}

function parse(f: GgufSource): GgufInfo {
  if (f.size === 0) throw new Bad('it is empty (0 bytes)');
  const c = new Cursor(f);
  if (f.size < 4 || new TextDecoder('latin1').decode(new Uint8Array(f.readAt(0, 4))) !== 'GGUF')
    throw new Bad('it does not begin with "GGUF"');
  c.pos = 4;
  const version = c.u32('version');
  if (version !== 2 && version !== 3) throw new Bad(`its GGUF version is ${version}; versions 2 and 3 are read`);
  const tensorCount = c.count('tensor count', GGUF_LIMITS.tensors);
  const keyCount = c.count('metadata count', GGUF_LIMITS.keys);
  const metadata: Record<string, GgufMeta> = {};
  for (let i = 0; i < keyCount; i++) {
    const key = c.string(`metadata key ${i}`);
    metadata[key] = value(c, key);
  }
  const tensors = Array.from({ length: tensorCount }, (_, i) => tensorInfo(c, i));
  const alignment = typeof metadata['general.alignment'] === 'number' ? metadata['general.alignment'] : 32;
  if (!Number.isInteger(alignment) || alignment < 1 || alignment > 1 << 16) throw new Bad(`its alignment ${alignment} is not a sane one`);
  const dataOffset = Math.ceil(c.pos / alignment) * alignment;
  for (const t of tensors) {
    if (t.offset % alignment) throw new Bad(`tensor ${t.name} is not aligned to ${alignment} bytes`);
    if (dataOffset + t.offset + t.bytes > f.size) throw new Bad(`tensor ${t.name} runs past the end of the file (truncated?)`);
  }
  const text = (k: string) => (typeof metadata[k] === 'string' ? (metadata[k] as string) : null);
  return { version, architecture: text('general.architecture'), name: text('general.name'), metadata, tensors, dataOffset, bytes: f.size };
}

/** The header of GGUF file `file`, read from `f`; a Failure "model" saying in one line why it is not a usable model. */
export function parseGguf(file: string, f: GgufSource): GgufInfo {
  try {
    return parse(f);
  } catch (e) {
    if (e instanceof Bad) throw new Failure('model', `${file} is not a usable GGUF model: ${e.message}`);
    throw e;
  }
}

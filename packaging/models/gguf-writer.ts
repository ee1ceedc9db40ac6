// A GGUF (version 3) writer: the metadata and tensor layout llama.cpp reads. It writes the header
// first and then each tensor's data as its generator yields it, so a model of hundreds of MB never
// sits whole in memory. The file appears by rename, whole or not at all.
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

/** GGUF value types (the format's numbering). */
const T = { u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9 } as const;

export type GgufValue =
  | { type: 'u32' | 'i32' | 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'strings'; value: readonly string[] }
  | { type: 'f32s' | 'i32s'; value: readonly number[] };

/** A tensor: its name, its dimensions innermost first (ggml's order), and its values as F32 or F16. */
export interface GgufTensor {
  name: string;
  dims: readonly number[];
  type: 'f32' | 'f16';
  /** The values, row after row; called once, when the tensor's turn comes to be written. */
  data(): Float32Array;
}

const GGML_TYPE = { f32: 0, f16: 1 } as const;
const ALIGNMENT = 32;

class Bytes {
  private parts: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }
  private fixed(size: number, write: (b: Buffer) => unknown): void {
    const b = Buffer.alloc(size);
    write(b);
    this.push(b);
  }
  u32(n: number): void {
    this.fixed(4, (b) => b.writeUInt32LE(n));
  }
  i32(n: number): void {
    this.fixed(4, (b) => b.writeInt32LE(n));
  }
  u64(n: number): void {
    this.fixed(8, (b) => b.writeBigUInt64LE(BigInt(n)));
  }
  f32(n: number): void {
    this.fixed(4, (b) => b.writeFloatLE(n));
  }
  string(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  concat(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const TAG = { u32: T.u32, i32: T.i32, f32: T.f32, bool: T.bool, string: T.string, strings: T.array, f32s: T.array, i32s: T.array };

function writeValue(out: Bytes, v: GgufValue): void {
  out.u32(TAG[v.type]);
  if (v.type === 'u32') out.u32(v.value);
  else if (v.type === 'i32') out.i32(v.value);
  else if (v.type === 'f32') out.f32(v.value);
  else if (v.type === 'bool') out.push(Buffer.from([v.value ? 1 : 0]));
  else if (v.type === 'string') out.string(v.value);
  else if (v.type === 'strings') {
    out.u32(T.string);
    out.u64(v.value.length);
    for (const s of v.value) out.string(s);
  } else if (v.type === 'f32s' || v.type === 'i32s') {
    out.u32(v.type === 'f32s' ? T.f32 : T.i32);
    out.u64(v.value.length);
    for (const n of v.value) {
      if (v.type === 'f32s') out.f32(n);
      else out.i32(n);
    }
  }
}

const pad = (n: number) => (ALIGNMENT - (n % ALIGNMENT)) % ALIGNMENT;
const elements = (t: GgufTensor) => t.dims.reduce((a, b) => a * b, 1);
const tensorBytes = (t: GgufTensor) => elements(t) * (t.type === 'f32' ? 4 : 2);

// One float's bits, shared: a bench model converts tens of millions of them.
const FLOAT = new Float32Array(1);
const BITS = new Uint32Array(FLOAT.buffer);

/** IEEE half precision of `f` (round to nearest even); enough for weights, which are small and finite. */
export function toHalf(f: number): number {
  FLOAT[0] = f;
  const x = BITS[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (exp >= 31) return sign | 0x7c00; // too large: infinity
  if (exp <= 0) {
    if (exp < -10) return sign; // too small: zero
    mant |= 0x800000;
    const shift = 14 - exp;
    const half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
  }
  const half = (exp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}

function encode(t: GgufTensor): Buffer {
  const values = t.data();
  if (values.length !== elements(t)) throw new Error(`tensor ${t.name}: ${values.length} values for ${t.dims.join('x')}`);
  if (t.type === 'f32') return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const out = Buffer.alloc(values.length * 2);
  for (let i = 0; i < values.length; i++) out.writeUInt16LE(toHalf(values[i]!), i * 2);
  return out;
}

/** Writes a GGUF v3 file of `metadata` and `tensors` to `file` (through a temporary name beside it). */
export function writeGguf(file: string, metadata: Record<string, GgufValue>, tensors: readonly GgufTensor[]): number {
  const head = new Bytes();
  head.push(Buffer.from('GGUF', 'latin1'));
  head.u32(3);
  head.u64(tensors.length);
  head.u64(Object.keys(metadata).length);
  for (const [key, value] of Object.entries(metadata)) {
    head.string(key);
    writeValue(head, value);
  }
  let offset = 0;
  for (const t of tensors) {
    head.string(t.name);
    head.u32(t.dims.length);
    for (const d of t.dims) head.u64(d);
    head.u32(GGML_TYPE[t.type]);
    head.u64(offset);
    offset += tensorBytes(t) + pad(tensorBytes(t));
  }
  head.push(Buffer.alloc(pad(head.length)));
  const temp = `${file}.${process.pid}.partial`;
  let size = 0;
  try {
    const fd = openSync(temp, 'w', 0o644);
    try {
      size += writeSync(fd, head.concat());
      for (const t of tensors) size += writeSync(fd, Buffer.concat([encode(t), Buffer.alloc(pad(tensorBytes(t)))]));
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
    return size;
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

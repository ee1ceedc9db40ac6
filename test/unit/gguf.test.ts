// The GGUF header reader on the project's own generated model and on hand-damaged copies of it:
// every damage is one line (a Failure "model", exit 3), never a stack trace or a hang.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { parseGguf } from '../../appliance/gguf.ts';
import { Failure } from '../../appliance/failures.ts';
import { readGguf } from '../../platforms/host/model-file.ts';
import { TINY, writeTinyLlama } from '../../packaging/models/tiny-llama.ts';
import { toHalf } from '../../packaging/models/gguf-writer.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-way-gguf-'));
const GOOD = path.join(dir, 'good.gguf');
writeTinyLlama({ ...TINY, embedding: 32, layers: 1, heads: 2, feedForward: 64, words: 20, name: 'little' }, GOOD);
const good = new Uint8Array(readFileSync(GOOD));

const source = (bytes: Uint8Array) => ({ size: bytes.length, readAt: (o: number, n: number) => bytes.subarray(o, o + n) });
const patched = (at: number, patch: (v: DataView) => void) => {
  const copy = good.slice();
  patch(new DataView(copy.buffer, at));
  return copy;
};
/** The one line a damaged copy gets; it fails the test if the copy is read. */
function refusal(bytes: Uint8Array): string {
  try {
    parseGguf('m.gguf', source(bytes));
  } catch (e) {
    expect(e).toBeInstanceOf(Failure);
    expect((e as Failure).exitCode).toBe(3);
    expect((e as Failure).oneLine()).not.toContain('\n');
    return (e as Failure).message;
  }
  throw new Error('the damaged copy was read');
}

describe('the GGUF reader', () => {
  it('reads the generated model: version, architecture, name, metadata and tensors', async () => {
    const info = await readGguf(GOOD);
    expect(info).toMatchObject({ version: 3, architecture: 'llama', name: 'little', bytes: good.length });
    expect(info.metadata['llama.block_count']).toBe(1);
    expect(info.metadata['tokenizer.ggml.tokens']).toEqual({ array: 'string', length: expect.any(Number) });
    expect(info.tensors.map((t) => t.name)).toContain('blk.0.attn_q.weight');
    const last = info.tensors.at(-1)!;
    expect(info.dataOffset + last.offset + last.bytes).toBe(good.length); // the data ends where the file does
  });

  it('reads version 2 as well, and refuses other versions', () => {
    expect(parseGguf('m.gguf', source(patched(4, (v) => v.setUint32(0, 2, true)))).version).toBe(2);
    expect(refusal(patched(4, (v) => v.setUint32(0, 4, true)))).toBe(
      'm.gguf is not a usable GGUF model: its GGUF version is 4; versions 2 and 3 are read',
    );
  });

  it('refuses an empty file, a text file and a flipped magic, each in its own words', () => {
    expect(refusal(new Uint8Array())).toMatch(/it is empty \(0 bytes\)$/);
    expect(refusal(new TextEncoder().encode('# my notes\nnot a model at all\n'))).toMatch(/does not begin with "GGUF"$/);
    expect(refusal(patched(0, (v) => v.setUint8(0, 0x67)))).toMatch(/does not begin with "GGUF"$/);
  });

  it('refuses a copy cut short, in the header and in the tensor data', () => {
    expect(refusal(good.subarray(0, 200))).toMatch(/ends in the middle of its header \(.+\)$/);
    expect(refusal(good.subarray(0, good.length - 1))).toMatch(/tensor output\.weight runs past the end of the file \(truncated\?\)$/);
  });

  it('refuses counts and lengths no model has, before allocating for them', () => {
    expect(refusal(patched(8, (v) => v.setBigUint64(0, 1n << 40n, true)))).toMatch(/its tensor count \(1099511627776\) is past the 65536/);
    expect(refusal(patched(16, (v) => v.setBigUint64(0, 1n << 62n, true)))).toMatch(/its metadata count \(\d+\) is past/);
    expect(refusal(patched(24, (v) => v.setBigUint64(0, 1n << 40n, true)))).toMatch(/its metadata key 0 length \(\d+\) is past/);
  });

  it('refuses a tensor type llama.cpp does not know', () => {
    const name = Buffer.from(good).indexOf('token_embd.weight');
    const at = name + 'token_embd.weight'.length + 4 + 16; // past its dimension count and two sizes
    expect(refusal(patched(at, (v) => v.setUint32(0, 99, true)))).toMatch(/tensor token_embd\.weight has a tensor type \(99\)/);
  });

  it('turns any cut or any damaged byte into a reading or one line, never another error', () => {
    fc.assert(
      fc.property(fc.nat(good.length), fc.nat(8191), fc.nat(255), (cut, at, byte) => {
        const copy = good.slice(0, Math.max(cut, 1024));
        if (at < copy.length) copy[at] = byte;
        try {
          parseGguf('m.gguf', source(copy));
        } catch (e) {
          expect(e).toBeInstanceOf(Failure);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('says in one line when the file is missing, a folder, or unreadable', async () => {
    const folder = path.join(dir, 'folder.gguf');
    mkdirSync(folder);
    await expect(readGguf(path.join(dir, 'nothing.gguf'))).rejects.toMatchObject({
      code: 'model',
      message: `${dir}/nothing.gguf does not exist`,
    });
    await expect(readGguf(folder)).rejects.toMatchObject({ code: 'model', message: `${folder} is a folder, not a regular file` });
    const empty = path.join(dir, 'empty.gguf');
    writeFileSync(empty, '');
    await expect(readGguf(empty)).rejects.toMatchObject({
      code: 'model',
      message: `${empty} is not a usable GGUF model: it is empty (0 bytes)`,
    });
  });

  it("writes half precision as IEEE does (the writer's F16 weights)", () => {
    expect([1, -2, 0.5, 65504, 1e6, 0, 2 ** -24, 2 ** -14, 1e-9].map(toHalf)).toEqual([
      0x3c00, 0xc000, 0x3800, 0x7bff, 0x7c00, 0, 0x0001, 0x0400, 0,
    ]);
    expect(toHalf(1 + 2 ** -11)).toBe(0x3c00); // a tie rounds to even
    expect(toHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
  });
});

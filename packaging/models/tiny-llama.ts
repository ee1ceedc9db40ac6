// A llama-architecture model the project makes itself, since none can be downloaded here: a
// SentencePiece-style vocabulary (control tokens, the 256 byte tokens, letters, and a few hundred
// English words built up prefix by prefix so llama.cpp's merges reach them), a few layers and
// random weights from a fixed seed. The same options always give the same bytes. It answers
// nonsense; the code that loads, tokenizes and generates with it is the real one.
import { writeGguf, type GgufTensor, type GgufValue } from './gguf-writer.ts';

export interface TinyLlamaOptions {
  /** Width of the model (the embedding length); a multiple of `heads`. */
  embedding: number;
  layers: number;
  heads: number;
  /** Hidden width of the feed-forward blocks. */
  feedForward: number;
  /** Tokens the model was "trained" on: what llama.cpp offers as the largest context. */
  contextLength: number;
  /** How many of WORDS (at most) the vocabulary holds; its size follows. */
  words: number;
  weights: 'f32' | 'f16';
  seed: number;
  name: string;
}

/** The test model `npm run build` writes: about 3 MB, loaded and run in a blink. */
export const TINY: TinyLlamaOptions = {
  embedding: 128,
  layers: 4,
  heads: 4,
  feedForward: 256,
  contextLength: 4096,
  words: 400, // all of WORDS
  weights: 'f32',
  seed: 0x5eed,
  name: 'ai-way tiny llama',
};

/** The benchmark model: the same recipe at tens of MB, so that generation costs measurable time. */
export const BENCH: TinyLlamaOptions = {
  embedding: 512,
  layers: 8,
  heads: 8,
  feedForward: 1024,
  contextLength: 4096,
  words: 400,
  weights: 'f16',
  seed: 0x5eed,
  name: 'ai-way bench llama',
};

// Common words (the generator's own list): enough for a tokenizer that produces word tokens.
const WORDS = `the of and to in is it that for was on are as with be at by this have from or one had not but what all were
when we there can an your which their said if do will each about how up out them then she many some so these would other
into has more her two like him see time could no make than first been its who now people my made over did down only way
find use may water long little very after words called just where most know get through back much go good new write our
me man too any day same right look think also around another came come work three word must because does part even place
well such here take why help put different away again off went old number great tell men say small every found still
between name should home big give air line set own under read last never us left end along while might next sound below
saw something thought both few those always show large often together asked house world going want school important until
form food keep children feet land side without boy once animal life enough took four head above kind began almost live
page got earth need far hand high year mother light country father let night picture being study second soon story since
white ever paper hard near sentence better best across during today however sure knew try told young sun thing whole hear
example heard several change answer room sea against top turned learn point city play toward five himself usually money
seen document question source file text model private local assistant appliance wipe network memory answer passage`
  .split(/\s+/)
  .filter((w, i, all) => w && all.indexOf(w) === i);

const SPACE = '\u2581'; // SentencePiece's mark for a word's leading space
const TYPE = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;

interface Vocab {
  tokens: string[];
  scores: number[];
  types: number[];
}

/** The vocabulary: ids 0-2 are <unk>, <s>, </s>; then the bytes; then the pieces, each word by way of its prefixes. */
export function vocabulary(words: number): Vocab {
  const v: Vocab = { tokens: ['<unk>', '<s>', '</s>'], scores: [0, 0, 0], types: [TYPE.unknown, TYPE.control, TYPE.control] };
  for (let b = 0; b < 256; b++) {
    v.tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    v.scores.push(0);
    v.types.push(TYPE.byte);
  }
  const pieces = new Set<string>([SPACE, ...'abcdefghijklmnopqrstuvwxyz.,?!']);
  // llama.cpp's SentencePiece merges join neighbours only into pieces the vocabulary has: every prefix must be one.
  for (const word of WORDS.slice(0, words)) for (let n = 2; n <= word.length + 1; n++) pieces.add((SPACE + word).slice(0, n));
  for (const piece of pieces) {
    v.tokens.push(piece);
    v.scores.push(-v.tokens.length); // earlier pieces merge first, as in a trained vocabulary
    v.types.push(TYPE.normal);
  }
  return v;
}

/** mulberry32: a small PRNG with a 32-bit state, so the weights are the same on every machine. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function metadata(o: TinyLlamaOptions, v: Vocab): Record<string, GgufValue> {
  const u32 = (value: number) => ({ type: 'u32', value }) as const;
  return {
    'general.architecture': { type: 'string', value: 'llama' },
    'general.name': { type: 'string', value: o.name },
    'general.file_type': u32(o.weights === 'f32' ? 0 : 1),
    'llama.context_length': u32(o.contextLength),
    'llama.embedding_length': u32(o.embedding),
    'llama.block_count': u32(o.layers),
    'llama.feed_forward_length': u32(o.feedForward),
    'llama.attention.head_count': u32(o.heads),
    'llama.attention.head_count_kv': u32(o.heads),
    'llama.rope.dimension_count': u32(o.embedding / o.heads),
    'llama.attention.layer_norm_rms_epsilon': { type: 'f32', value: 1e-5 },
    'llama.vocab_size': u32(v.tokens.length),
    'tokenizer.ggml.model': { type: 'string', value: 'llama' },
    'tokenizer.ggml.tokens': { type: 'strings', value: v.tokens },
    'tokenizer.ggml.scores': { type: 'f32s', value: v.scores },
    'tokenizer.ggml.token_type': { type: 'i32s', value: v.types },
    'tokenizer.ggml.unknown_token_id': u32(0),
    'tokenizer.ggml.bos_token_id': u32(1),
    'tokenizer.ggml.eos_token_id': u32(2),
    'tokenizer.ggml.add_bos_token': { type: 'bool', value: true },
    'tokenizer.ggml.add_eos_token': { type: 'bool', value: false },
  };
}

function tensors(o: TinyLlamaOptions, vocab: number): GgufTensor[] {
  const next = random(o.seed);
  // Uniform in ±1/sqrt(fan-in): activations keep their scale through the layers, so logits stay finite.
  const weights = (name: string, fanIn: number, out: number, type = o.weights): GgufTensor => ({
    name,
    dims: [fanIn, out],
    type,
    data: () => {
      const values = new Float32Array(fanIn * out);
      const scale = 2 / Math.sqrt(fanIn);
      for (let i = 0; i < values.length; i++) values[i] = (next() - 0.5) * scale;
      return values;
    },
  });
  const ones = (name: string): GgufTensor => ({
    name,
    dims: [o.embedding],
    type: 'f32',
    data: () => new Float32Array(o.embedding).fill(1),
  });
  const e = o.embedding;
  const output = weights('output.weight', e, vocab);
  const outputData = output.data;
  // The control tokens' logits are 0 while the largest of the others is well above: greedy
  // generation never ends (or restarts) on its own, so a test decides how many tokens it wants.
  output.data = () => outputData().fill(0, 0, 3 * e);
  return [
    weights('token_embd.weight', e, vocab),
    ...Array.from({ length: o.layers }, (_, i) => [
      ones(`blk.${i}.attn_norm.weight`),
      weights(`blk.${i}.attn_q.weight`, e, e),
      weights(`blk.${i}.attn_k.weight`, e, e),
      weights(`blk.${i}.attn_v.weight`, e, e),
      weights(`blk.${i}.attn_output.weight`, e, e),
      ones(`blk.${i}.ffn_norm.weight`),
      weights(`blk.${i}.ffn_gate.weight`, e, o.feedForward),
      weights(`blk.${i}.ffn_down.weight`, o.feedForward, e),
      weights(`blk.${i}.ffn_up.weight`, e, o.feedForward),
    ]).flat(),
    ones('output_norm.weight'),
    output,
  ];
}

/** Writes the model of `options` to `file` (atomically); returns its size in bytes. */
export function writeTinyLlama(options: TinyLlamaOptions, file: string): number {
  if (options.embedding % options.heads) throw new Error(`embedding ${options.embedding} is not a multiple of heads ${options.heads}`);
  const v = vocabulary(options.words);
  return writeGguf(file, metadata(options, v), tensors(options, v.tokens.length));
}

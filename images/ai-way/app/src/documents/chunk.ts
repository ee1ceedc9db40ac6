// Splits a document's text into overlapping passages, each with its place in the text, so a
// sentence cut at one passage's end is whole at the next one's start.
export interface Chunk {
  text: string;
  /** Offsets in the extracted text: [start, end). */
  start: number;
  end: number;
}

export interface ChunkOptions {
  size: number;
  overlap: number;
}

export const DEFAULT_CHUNKING: ChunkOptions = { size: 1000, overlap: 200 };

const SPACE = /\s/;

/** The end of a passage that starts at `start`: at most `size` on, moved back to a space when one is in its second half. */
function passageEnd(text: string, start: number, size: number): number {
  const limit = Math.min(start + size, text.length);
  if (limit === text.length) return limit;
  for (let i = limit; i > start + size / 2; i--) if (SPACE.test(text[i] ?? '')) return i;
  return limit;
}

/** The next passage's start: `overlap` before `end`, moved forward to the start of a word. */
function nextStart(text: string, start: number, end: number, overlap: number): number {
  let i = Math.max(end - overlap, start + 1);
  if (i > 0 && !SPACE.test(text[i - 1] ?? '')) {
    const space = text.slice(i, end).search(SPACE);
    if (space >= 0) i += space;
  }
  while (i < end && SPACE.test(text[i] ?? '')) i++;
  return i;
}

export function chunkText(text: string, options: ChunkOptions = DEFAULT_CHUNKING): Chunk[] {
  if (options.size < 1 || options.overlap < 0 || options.overlap >= options.size) {
    throw new RangeError(`chunk size ${options.size} and overlap ${options.overlap}: need 0 <= overlap < size`);
  }
  const chunks: Chunk[] = [];
  let start = 0;
  while (start < text.length) {
    while (start < text.length && SPACE.test(text[start] ?? '')) start++;
    if (start >= text.length) break;
    const end = passageEnd(text, start, options.size);
    const piece = text.slice(start, end).trimEnd();
    if (piece !== '') chunks.push({ text: piece, start, end: start + piece.length });
    if (end >= text.length) break;
    start = nextStart(text, start, end, options.overlap);
  }
  return chunks;
}

// What a file is, from its name and first bytes, and the one sentence that says why one cannot be
// read. Pure: the caller has read the bytes.
export type Kind = 'text' | 'markdown' | 'html' | 'pdf';

export type Sniffed = { kind: Kind } | { refused: string };

const ONLY = 'only text, Markdown, HTML and PDF files can be read';

const MAGIC: [number[], string][] = [
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive (Word, Excel and OpenDocument files are ZIP archives); save it as PDF or text'],
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image; images have no text to read'],
  [[0xff, 0xd8, 0xff], 'a JPEG image; images have no text to read'],
  [[0x47, 0x49, 0x46, 0x38], 'a GIF image; images have no text to read'],
  [[0x1f, 0x8b], 'a gzip archive; unpack it first'],
  [[0x7f, 0x45, 0x4c, 0x46], `a program (ELF); ${ONLY}`],
  [[0xd0, 0xcf, 0x11, 0xe0], 'an old Office document; save it as PDF or text'],
];

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** Where "%PDF-" is: a PDF may carry a few bytes of junk before it, readers allow 1024. */
function pdfHeaderAt(bytes: Uint8Array): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 1024)).indexOf('%PDF-');
}

/** `head` is the file's first bytes (64 KiB or all of it). */
export function sniff(name: string, head: Uint8Array, size: number): Sniffed {
  if (size === 0) return { refused: 'empty file' };
  const ext = extension(name);
  const isPdf = pdfHeaderAt(head) >= 0;
  if (ext === 'pdf' && !isPdf) return { refused: 'not a PDF: it does not start with %PDF-' };
  if (isPdf) return { kind: 'pdf' };
  for (const [magic, what] of MAGIC) if (startsWith(head, magic)) return { refused: `binary file: ${what}` };
  if (head.includes(0)) return { refused: `binary file (it contains NUL bytes); ${ONLY}` };
  if (ext === 'html' || ext === 'htm' || ext === 'xhtml') return { kind: 'html' };
  if (ext === 'md' || ext === 'markdown') return { kind: 'markdown' };
  return { kind: 'text' };
}

/** C0 controls other than tab, line feed, form feed and carriage return: they do not occur in text. */
function controlBytes(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) if (b < 0x09 || (b > 0x0d && b < 0x20) || b === 0x7f) n++;
  return n;
}

/** Text from bytes: UTF-8 (a BOM is dropped), else Latin-1 when it reads as text, else a refusal. */
export function decodeText(bytes: Uint8Array): { text: string } | { refused: string } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes) };
  } catch {
    if (controlBytes(bytes) * 100 <= bytes.length) return { text: Buffer.from(bytes).toString('latin1') };
    return { refused: `binary file (not UTF-8 text); ${ONLY}` };
  }
}

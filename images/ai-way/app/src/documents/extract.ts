// A document's text, by kind, or the one sentence that says why it cannot be read.
import { htmlToText } from './html.ts';
import { decodeText, sniff } from './kind.ts';
import { pdfText } from './pdf.ts';

export type Extracted = { text: string } | { refused: string };

export async function extractText(name: string, bytes: Uint8Array): Promise<Extracted> {
  const sniffed = sniff(name, bytes.subarray(0, 65536), bytes.length);
  if ('refused' in sniffed) return sniffed;
  if (sniffed.kind === 'pdf') return pdfText(bytes);
  const decoded = decodeText(bytes);
  if ('refused' in decoded) return decoded;
  const text = sniffed.kind === 'html' ? htmlToText(decoded.text) : decoded.text;
  if (text.trim() === '') return { refused: 'no text in this file (only spaces)' };
  return { text };
}

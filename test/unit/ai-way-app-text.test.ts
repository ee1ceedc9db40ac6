// The app's pure text core: passages with overlap and places, HTML to text, what a file is.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkText } from '../../images/ai-way/app/src/documents/chunk.ts';
import { decodeEntities, htmlToText } from '../../images/ai-way/app/src/documents/html.ts';
import { decodeText, sniff } from '../../images/ai-way/app/src/documents/kind.ts';

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

describe('chunkText', () => {
  it('keeps a short text whole, and each passage is the text at its place', () => {
    expect(chunkText('  one two  ')).toEqual([{ text: 'one two', start: 2, end: 9 }]);
    expect(chunkText('')).toEqual([]);
    expect(chunkText(' \n\t ')).toEqual([]);
  });

  it('overlaps passages and cuts at spaces', () => {
    const words = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ');
    const chunks = chunkText(words, { size: 100, overlap: 30 });
    expect(chunks.length).toBeGreaterThan(10);
    for (const [a, b] of chunks.slice(0, -1).map((c, i) => [c, chunks[i + 1]!] as const)) {
      expect(b.start).toBeLessThan(a.end); // overlap
      expect(b.start).toBeGreaterThan(a.start); // progress
      expect(words[b.start - 1]).toBe(' '); // a word's start
    }
    expect(chunks.at(-1)!.end).toBe(words.length);
  });

  it('holds for any text: in order, within size, each the text at its place, nothing lost', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), fc.integer({ min: 2, max: 80 }), (text, size) => {
        const overlap = Math.floor(size / 3);
        const chunks = chunkText(text, { size, overlap });
        let covered = 0;
        for (const c of chunks) {
          expect(text.slice(c.start, c.end)).toBe(c.text);
          expect(c.text.length).toBeLessThanOrEqual(size);
          expect(text.slice(covered, c.start).trim()).toBe(''); // no words skipped
          covered = Math.max(covered, c.end);
        }
        expect(text.slice(covered).trim()).toBe('');
      }),
    );
  });

  it('refuses an overlap as large as the passage', () => {
    expect(() => chunkText('x', { size: 10, overlap: 10 })).toThrow(RangeError);
  });
});

describe('htmlToText', () => {
  it('keeps the words and the title, drops scripts, styles and comments, breaks blocks', () => {
    const html =
      '<!DOCTYPE html><html><head><title>Plan &amp; budget</title><style>p{color:red}</style>' +
      '<script>alert("x")</script></head><body><h1>Q3</h1><!-- hidden --><p>Costs &lt; 5&nbsp;k&#8364;</p>' +
      '<ul><li>one</li><li>two</li></ul></body></html>';
    expect(htmlToText(html)).toBe('Plan & budget\n\nQ3\n\nCosts < 5 k€\n\none\n\ntwo');
  });

  it('decodes numeric entities and leaves unknown ones', () => {
    expect(decodeEntities('&#x41;&#66;&unknown;&#0;')).toBe('AB&unknown;\uFFFD');
  });
});

describe('sniff', () => {
  it('says what a file is', () => {
    expect(sniff('a.md', bytes('# hi'), 4)).toEqual({ kind: 'markdown' });
    expect(sniff('a.HTM', bytes('<p>'), 3)).toEqual({ kind: 'html' });
    expect(sniff('a', bytes('plain'), 5)).toEqual({ kind: 'text' });
    expect(sniff('scan.dat', bytes('%PDF-1.7'), 8)).toEqual({ kind: 'pdf' });
    expect(sniff('x.pdf', bytes('\n\n%PDF-1.4'), 10)).toEqual({ kind: 'pdf' });
  });

  it('refuses in one sentence what it cannot read', () => {
    expect(sniff('a.txt', new Uint8Array(), 0)).toEqual({ refused: 'empty file' });
    expect(sniff('a.pdf', bytes('hello'), 5)).toEqual({ refused: 'not a PDF: it does not start with %PDF-' });
    expect(sniff('a.docx', bytes('PK\x03\x04....'), 8)).toMatchObject({ refused: expect.stringMatching(/^binary file: a ZIP archive/) });
    expect(sniff('a.txt', bytes('ab\x00cd'), 5)).toMatchObject({ refused: expect.stringMatching(/NUL bytes/) });
  });

  it('decodes UTF-8, falls back to Latin-1 for text, refuses control-heavy bytes', () => {
    expect(decodeText(new Uint8Array(Buffer.from('\uFEFFnaïve', 'utf8')))).toEqual({ text: 'naïve' });
    expect(decodeText(bytes('caf\xe9 au lait'))).toEqual({ text: 'café au lait' });
    expect(decodeText(bytes('\xff\x01\x02\x03\x04\x05'))).toMatchObject({ refused: expect.stringMatching(/not UTF-8/) });
  });
});

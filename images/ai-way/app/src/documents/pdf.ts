// PDF text through pdf.js's legacy build (the one that runs on Node without a DOM). Its worker
// runs in this process: handing pdf.js the worker module keeps it off the file system, so it
// bundles into one file with the app.
import * as worker from 'pdfjs-dist/legacy/build/pdf.worker.mjs';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let loaded: Promise<PdfJs> | undefined;

function pdfjs(): Promise<PdfJs> {
  if (!loaded) {
    (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = worker;
    loaded = quietly(() => import('pdfjs-dist/legacy/build/pdf.mjs'));
  }
  return loaded;
}

/** pdf.js warns on import that it cannot draw (no canvas package): this app never draws, only reads text. */
async function quietly<T>(load: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = (...args: unknown[]) => {
    if (!String(args[0]).startsWith('Warning: Cannot')) log(...args);
  };
  try {
    return await load();
  } finally {
    console.log = log;
  }
}

function reasonOf(error: unknown): string {
  const name = (error as { name?: string })?.name;
  if (name === 'PasswordException') return 'a PDF protected by a password';
  const message = error instanceof Error ? error.message : String(error);
  return `not a readable PDF: ${message.replace(/\.$/, '')}`;
}

/** The text of every page, pages separated by a blank line; a refusal says why there is none. */
export async function pdfText(bytes: Uint8Array): Promise<{ text: string } | { refused: string }> {
  const lib = await pdfjs();
  // pdf.js takes ownership of the buffer it is given, and wants a plain Uint8Array (no Buffer): a copy.
  const task = lib.getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    verbosity: 0,
  });
  try {
    const doc = await task.promise;
    const pages: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      pages.push(
        content.items
          .map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : ''))
          .join('')
          .trim(),
      );
      page.cleanup();
    }
    const text = pages.join('\n\n').trim();
    if (text === '') return { refused: 'no text in this PDF (a scanned PDF holds only images, and this app does no OCR)' };
    return { text };
  } catch (error) {
    return { refused: reasonOf(error) };
  } finally {
    await task.destroy();
  }
}

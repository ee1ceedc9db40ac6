// The documents and their passages, in memory only: what /documents lists and what /ask searches.
// BM25 ranking is MiniSearch's; this keeps which passages belong to which file, so a file that
// leaves the workspace leaves the index.
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import MiniSearch from 'minisearch';
import { type Chunk, chunkText, DEFAULT_CHUNKING } from './chunk.ts';

export type DocumentStatus = 'indexing' | 'indexed' | 'refused';

export interface DocumentEntry {
  name: string;
  bytes: number;
  status: DocumentStatus;
  chunks?: number;
  reason?: string;
}

export interface Passage {
  file: string;
  text: string;
  start: number;
  end: number;
  score: number;
}

interface Stored {
  id: string;
  file: string;
  text: string;
  start: number;
  end: number;
}

const INDEX_BATCH = 256;

export class Library {
  readonly #documents = new Map<string, DocumentEntry>();
  readonly #ids = new Map<string, string[]>();
  readonly #search = new MiniSearch<Stored>({
    fields: ['text'],
    storeFields: ['file', 'text', 'start', 'end'],
    searchOptions: { prefix: true, fuzzy: 0.15, combineWith: 'OR' },
  });
  #serial = 0;

  list(): DocumentEntry[] {
    return [...this.#documents.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): DocumentEntry | undefined {
    return this.#documents.get(name);
  }

  get indexedCount(): number {
    return this.list().filter((d) => d.status === 'indexed').length;
  }

  indexing(name: string, bytes: number): void {
    this.remove(name);
    this.#documents.set(name, { name, bytes, status: 'indexing' });
  }

  refuse(name: string, bytes: number, reason: string): void {
    this.remove(name);
    this.#documents.set(name, { name, bytes, status: 'refused', reason });
  }

  /**
   * Indexes `text` as `name`'s passages, replacing what was there; returns them. A batch at a time,
   * so a large document does not hold up answers being streamed meanwhile.
   */
  async index(name: string, bytes: number, text: string): Promise<Chunk[]> {
    this.indexing(name, bytes);
    const chunks = chunkText(text, DEFAULT_CHUNKING);
    const serial = ++this.#serial;
    const ids: string[] = [];
    this.#ids.set(name, ids);
    for (let i = 0; i < chunks.length; i += INDEX_BATCH) {
      const batch = chunks.slice(i, i + INDEX_BATCH).map((c, j) => ({ id: `${serial}:${i + j}`, file: name, ...c }));
      this.#search.addAll(batch);
      ids.push(...batch.map((b) => b.id));
      await yieldToEvents();
    }
    this.#documents.set(name, { name, bytes, status: 'indexed', chunks: chunks.length });
    return chunks;
  }

  remove(name: string): void {
    for (const id of this.#ids.get(name) ?? []) this.#search.discard(id);
    this.#ids.delete(name);
    this.#documents.delete(name);
  }

  /** The best passages for a question, best first (BM25 over the passages' words). */
  search(question: string, limit: number): Passage[] {
    return this.#search
      .search(question)
      .slice(0, limit)
      .map((r) => ({ file: r.file, text: r.text, start: r.start, end: r.end, score: r.score }));
  }
}

// Keeps the library in step with the workspace: each file the agent renames into place is read and
// indexed as it arrives, one at a time (one document's bytes in memory at once); a file that goes
// leaves the index. The agent writes uploads under ".upload-N" first: names starting with "." are
// never documents.
import { type FSWatcher, watch } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { extractText } from './extract.ts';
import type { Library } from './library.ts';

export interface IndexerOptions {
  workspace: string;
  maxDocumentBytes: number;
  /** A safety net under inotify (an event lost to an overflowing queue): a full look every so often. */
  rescanMs: number;
  log: (line: string) => void;
}

const MIB = 1024 * 1024;

function mib(bytes: number): string {
  return `${Math.round((bytes / MIB) * 10) / 10} MiB`;
}

export class Indexer {
  readonly #seen = new Map<string, string>();
  readonly #pending = new Set<string>();
  #running = false;
  #watcher: FSWatcher | null = null;
  #timer: NodeJS.Timeout | null = null;
  #idle: (() => void)[] = [];

  constructor(
    readonly library: Library,
    readonly options: IndexerOptions,
  ) {}

  get watching(): boolean {
    return this.#watcher !== null;
  }

  async start(): Promise<void> {
    this.#watcher = watch(this.options.workspace, { persistent: true }, (_event, name) => {
      if (name) this.#enqueue(name.toString());
      else void this.rescan();
    });
    this.#watcher.on('error', (e) => this.options.log(`watching ${this.options.workspace} failed: ${e.message}`));
    this.#timer = setInterval(() => void this.rescan(), this.options.rescanMs);
    this.#timer.unref();
    await this.rescan();
  }

  stop(): void {
    this.#watcher?.close();
    this.#watcher = null;
    if (this.#timer) clearInterval(this.#timer);
  }

  /** Every name in the workspace and every name known, looked at again. */
  async rescan(): Promise<void> {
    const names = await readdir(this.options.workspace).catch(() => [] as string[]);
    for (const n of new Set([...names, ...this.#seen.keys()])) this.#enqueue(n);
  }

  /** Resolves once nothing waits to be indexed (for tests and the bench). */
  idle(): Promise<void> {
    if (!this.#running && this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #enqueue(name: string): void {
    if (name.startsWith('.') || name.includes('/')) return;
    this.#pending.add(name);
    if (!this.#running) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#running = true;
    while (this.#pending.size > 0) {
      const name = this.#pending.values().next().value as string;
      this.#pending.delete(name);
      await this.#look(name).catch((e: Error) => this.options.log(`${name}: ${e.message}`));
    }
    this.#running = false;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  async #look(name: string): Promise<void> {
    const file = path.join(this.options.workspace, name);
    const stat = await lstat(file).catch(() => null);
    if (!stat) {
      if (this.#seen.delete(name)) this.library.remove(name);
      return;
    }
    const version = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    if (this.#seen.get(name) === version) return;
    this.#seen.set(name, version);
    if (!stat.isFile()) return this.library.refuse(name, stat.size, 'not a regular file');
    if (stat.size > this.options.maxDocumentBytes) {
      const limit = mib(this.options.maxDocumentBytes);
      return this.library.refuse(name, stat.size, `too large: ${mib(stat.size)}, the app reads documents of up to ${limit}`);
    }
    this.library.indexing(name, stat.size);
    const started = performance.now();
    const bytes = await readFile(file).catch(() => null);
    if (!bytes) {
      // Gone (or unreadable) between the look and the read: the next event or rescan says which.
      this.#seen.delete(name);
      this.library.remove(name);
      return;
    }
    const extracted = await extractText(name, bytes).catch((e: Error) => ({ refused: `it could not be read: ${e.message}` }));
    if ('refused' in extracted) {
      this.library.refuse(name, stat.size, extracted.refused);
      this.options.log(`${name}: refused: ${extracted.refused}`);
      return;
    }
    const chunks = await this.library.index(name, stat.size, extracted.text);
    const ms = Math.round(performance.now() - started);
    this.options.log(`${name}: indexed, ${chunks.length} passages in ${ms} ms`);
  }
}

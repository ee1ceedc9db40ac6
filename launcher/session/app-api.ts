// What an app says in JSON about itself (its status) and about the files added (its documents),
// read from its answers. Pure. The app is not trusted: a field of the wrong type is left out, and
// strings and lists are bounded, so a front end shows what was said, never more than it can hold.

export interface AppStatus {
  model: string | null;
  backend: string | null;
  warnings: string[];
  lastTokensPerSecond: number | null;
  threads: number | null;
  contextSize: number | null;
  documents: number | null;
}

export interface DocumentState {
  name: string;
  status: 'indexing' | 'indexed' | 'refused';
  chunks: number | null;
  reason: string | null;
}

const LIMITS = { text: 300, warnings: 10, documents: 4096 };

const record = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
const text = (v: unknown) =>
  typeof v === 'string' ? (v.length > LIMITS.text ? `${Array.from(v).slice(0, LIMITS.text).join('')}…` : v) : null;
const count = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null);
const amount = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);

function json(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}

/** The status the app sent, or null when it is not a JSON object. */
export function parseStatus(body: string): AppStatus | null {
  const o = record(json(body));
  if (!o) return null;
  const model = record(o.model);
  return {
    model: text(model?.name) ?? text(model?.file) ?? text(o.model),
    backend: text(o.backend),
    warnings: (Array.isArray(o.warnings) ? o.warnings : []).slice(0, LIMITS.warnings).flatMap((w) => text(w) ?? []),
    lastTokensPerSecond: amount(o.lastTokensPerSecond),
    threads: count(o.threads),
    contextSize: count(o.contextSize),
    documents: count(o.documents),
  };
}

const STATES: readonly string[] = ['indexing', 'indexed', 'refused'];

/** The documents the app lists, or null when its answer is not that list. */
export function parseDocuments(body: string): DocumentState[] | null {
  const list = record(json(body))?.documents;
  if (!Array.isArray(list)) return null;
  return list.slice(0, LIMITS.documents).flatMap((d): DocumentState[] => {
    const o = record(d);
    const name = text(o?.name);
    if (!o || !name || typeof o.status !== 'string' || !STATES.includes(o.status)) return [];
    return [{ name, status: o.status as DocumentState['status'], chunks: count(o.chunks), reason: text(o.reason) }];
  });
}

/** What became of a file, in a few words: "indexed (N passages)", the app's reason for refusing it, or "indexing". */
export function documentOutcome(d: DocumentState): string {
  if (d.status === 'indexed') return `indexed${d.chunks === null ? '' : ` (${d.chunks} passage${d.chunks === 1 ? '' : 's'})`}`;
  if (d.status === 'refused') return `refused: ${d.reason ?? 'the app gave no reason'}`;
  return 'indexing';
}

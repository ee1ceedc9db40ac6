// An app's answer as pieces, whichever way it comes: NDJSON (one JSON object a line: tokens, its
// sources, then done or error) or plain text (one stream of text, as the selftest sends). Pure: it
// is fed the body's text as it arrives. The app is not trusted: lines, counts and strings are
// bounded, and a line that is not what the contract says becomes a warning, never a crash. Text is
// kept as sent; whoever shows it on a terminal shows it through terminalText.

export interface Source {
  file: string;
  passage: string;
  score: number | null;
}

/** The answer's last line; a field the app got wrong is null. */
export interface AnswerDone {
  tokens: number | null;
  tokensPerSecond: number | null;
  backend: string | null;
  ms: number | null;
}

export type AnswerPiece =
  | { type: 'text'; text: string }
  | { type: 'sources'; sources: Source[] }
  | ({ type: 'done' } & AnswerDone)
  | { type: 'error'; message: string }
  | { type: 'warning'; message: string };

/** Everything the answer said, once it ended: what front ends report. */
export interface AnswerSummary {
  body: string;
  sources: Source[];
  tokens: number | null;
  tokensPerSecond: number | null;
  backend: string | null;
  error: string | null;
}

// A token line is tens of bytes and the sources line a few KiB; anything near these is not an answer.
export const ANSWER_LIMITS = {
  lineChars: 64 * 1024,
  sources: 20,
  fileChars: 255,
  passageChars: 1000,
  messageChars: 1000,
  backendChars: 20,
  /** Warnings said one by one; past these they are counted. */
  warnings: 5,
};

const NDJSON = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl']);

/** Whether a body of this media type (as http.ts gives it: lowercase, no parameters) is a stream of JSON lines. */
export const isLineStream = (contentType: string | null): boolean => contentType !== null && NDJSON.has(contentType);

const cut = (s: string, chars: number) => (s.length <= chars ? s : Array.from(s).slice(0, chars).join(''));
const excerpt = (line: string) => JSON.stringify(cut(line, 60));
const count = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null);
const amount = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);

export class AnswerDecoder {
  /** The body is a stream of JSON lines (else plain text). */
  readonly lines: boolean;
  private pending = '';
  /** In the middle of a line too long to keep: the rest of it is dropped up to its newline. */
  private skipping = false;
  private warned = 0;
  private unsaid = 0;
  private ended = false;
  private readonly summary: AnswerSummary = { body: '', sources: [], tokens: null, tokensPerSecond: null, backend: null, error: null };

  constructor(contentType: string | null) {
    this.lines = isLineStream(contentType);
  }

  /** The pieces this text completes. */
  push(text: string): AnswerPiece[] {
    if (!this.lines) {
      this.summary.body += text;
      return text ? [{ type: 'text', text }] : [];
    }
    const out: AnswerPiece[] = [];
    let rest = text;
    while (rest) {
      const nl = rest.indexOf('\n');
      const part = nl < 0 ? rest : rest.slice(0, nl);
      rest = nl < 0 ? '' : rest.slice(nl + 1);
      if (!this.skipping) this.pending += part;
      if (this.pending.length > ANSWER_LIMITS.lineChars) {
        this.pending = '';
        this.skipping = true;
        this.warn(out, `the app sent a line longer than ${ANSWER_LIMITS.lineChars / 1024} KiB; it was skipped`);
      }
      if (nl < 0) break;
      if (!this.skipping) this.line(this.pending, out);
      this.pending = '';
      this.skipping = false;
    }
    return out;
  }

  /** The pieces the end of the body completes: its last line, and what was left unsaid. */
  end(): AnswerPiece[] {
    const out: AnswerPiece[] = [];
    if (!this.lines) return out;
    if (!this.skipping && this.pending.trim()) this.line(this.pending, out);
    this.pending = '';
    if (!this.ended) this.warn(out, 'the answer ended before the app said it was done');
    if (this.unsaid) out.push({ type: 'warning', message: `and ${this.unsaid} more line(s) the app got wrong` });
    return out;
  }

  result(): AnswerSummary {
    return { ...this.summary, sources: [...this.summary.sources] };
  }

  private warn(out: AnswerPiece[], message: string): void {
    if (this.warned++ < ANSWER_LIMITS.warnings) out.push({ type: 'warning', message });
    else this.unsaid++;
  }

  private line(text: string, out: AnswerPiece[]): void {
    if (!text.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      this.warn(out, `the app sent a line that is not JSON: ${excerpt(text)}`);
      return;
    }
    const o = (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {}) as Record<string, unknown>;
    if (this.ended) {
      this.warn(out, `the app sent a line after the answer's end: ${excerpt(text)}`);
      return;
    }
    const piece = this.piece(o);
    if (piece) out.push(piece);
    else this.warn(out, `the app sent a line that is not part of an answer: ${excerpt(text)}`);
  }

  private piece(o: Record<string, unknown>): AnswerPiece | null {
    const s = this.summary;
    switch (o.type) {
      case 'token': {
        if (typeof o.text !== 'string') return null;
        s.body += o.text;
        return { type: 'text', text: o.text };
      }
      case 'sources': {
        if (!Array.isArray(o.sources)) return null;
        const sources = o.sources.slice(0, ANSWER_LIMITS.sources).flatMap((x: unknown): Source[] => {
          const r = (typeof x === 'object' && x !== null ? x : {}) as Record<string, unknown>;
          if (typeof r.file !== 'string' || typeof r.passage !== 'string') return [];
          const score = typeof r.score === 'number' && Number.isFinite(r.score) ? r.score : null;
          return [{ file: cut(r.file, ANSWER_LIMITS.fileChars), passage: cut(r.passage, ANSWER_LIMITS.passageChars), score }];
        });
        s.sources = [...s.sources, ...sources].slice(0, ANSWER_LIMITS.sources);
        return { type: 'sources', sources };
      }
      case 'done': {
        this.ended = true;
        const backend = typeof o.backend === 'string' ? cut(o.backend, ANSWER_LIMITS.backendChars) : null;
        const done: AnswerDone = { tokens: count(o.tokens), tokensPerSecond: amount(o.tokensPerSecond), backend, ms: amount(o.ms) };
        Object.assign(s, { tokens: done.tokens, tokensPerSecond: done.tokensPerSecond, backend });
        return { type: 'done', ...done };
      }
      case 'error': {
        this.ended = true;
        s.error = typeof o.message === 'string' ? cut(o.message, ANSWER_LIMITS.messageChars) : 'the app failed without saying why';
        return { type: 'error', message: s.error };
      }
      default:
        return null;
    }
  }
}

// The answer's wire format (the contract's POST /ask): one JSON object per line, written as it is
// generated so a reader that only sees bytes arrive (the launcher's HTTP/1.0 proxy) can show them.
export interface Source {
  file: string;
  passage: string;
  score: number;
}

export type AnswerEvent =
  | { type: 'token'; text: string }
  | { type: 'sources'; sources: Source[] }
  | { type: 'done'; tokens: number; tokensPerSecond: number; backend: string; ms: number }
  | { type: 'error'; message: string };

/** One line of NDJSON. JSON.stringify escapes newlines inside strings, so a line is always one event. */
export function encodeEvent(event: AnswerEvent): string {
  return `${JSON.stringify(event)}\n`;
}

/** The lines of an NDJSON body, for readers (tests, the front end's parser): a partial last line is kept for later. */
export function decodeLines(buffered: string): { events: AnswerEvent[]; rest: string } {
  const lines = buffered.split('\n');
  const rest = lines.pop() ?? '';
  const events = lines.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as AnswerEvent);
  return { events, rest };
}

// The prompt: a plain completion prompt, so any model answers it, one with no chat template too
// (the project's generated test models have none). It must fit the context with room for the answer.
import type { Passage } from '../documents/library.ts';
import type { Source } from '../ndjson.ts';

export interface Fitted {
  prompt: string;
  passages: Passage[];
}

const PASSAGE_PREVIEW = 200;
const MIN_PASSAGE = 200;

export function buildPrompt(question: string, passages: Passage[]): string {
  const q = question.trim();
  if (passages.length === 0) {
    return (
      'There are no documents to answer from. Answer the question from what you know, briefly, ' +
      `and say that the answer has no sources.\n\nQuestion: ${q}\nAnswer:`
    );
  }
  const blocks = passages.map((p, i) => `[${i + 1}] from ${p.file}:\n${p.text.trim()}`);
  return (
    'Answer the question using only the passages below, briefly. Name the files you used. ' +
    `If the passages do not say, answer that they do not.\n\n${blocks.join('\n\n')}\n\nQuestion: ${q}\nAnswer:`
  );
}

/** The best `limit` passages with at most `perFile` from one file, so a second file gets its say. */
export function pickPassages(ranked: Passage[], limit: number, perFile: number): Passage[] {
  const taken = new Map<string, number>();
  const picked: Passage[] = [];
  for (const p of ranked) {
    if (picked.length >= limit) break;
    const n = taken.get(p.file) ?? 0;
    if (n >= perFile) continue;
    taken.set(p.file, n + 1);
    picked.push(p);
  }
  return picked;
}

/**
 * The prompt with as many passages as fit in `budget` tokens (counted by the model's own
 * tokenizer): the weakest are dropped first, the last one left is shortened before it goes, and a
 * question too long for the context on its own is cut.
 */
export function fitPrompt(question: string, ranked: Passage[], countTokens: (text: string) => number, budget: number): Fitted {
  const passages = [...ranked];
  while (passages.length > 0) {
    const prompt = buildPrompt(question, passages);
    if (countTokens(prompt) <= budget) return { prompt, passages };
    const last = passages[passages.length - 1]!;
    if (passages.length === 1 && last.text.length > MIN_PASSAGE) {
      const text = last.text.slice(0, Math.floor(last.text.length / 2));
      passages[0] = { ...last, text, end: last.start + text.length };
    } else {
      passages.pop();
    }
  }
  let q = question;
  while (q.length > 0 && countTokens(buildPrompt(q, [])) > budget) q = q.slice(0, Math.floor(q.length / 2));
  return { prompt: buildPrompt(q, []), passages: [] };
}

export function toSources(passages: Passage[]): Source[] {
  return passages.map((p) => ({ file: p.file, passage: p.text.slice(0, PASSAGE_PREVIEW), score: Math.round(p.score * 1000) / 1000 }));
}

// One question, answered: the best passages, a prompt that fits, the model's tokens as they
// come, then the figures. Events go to `emit` (the HTTP layer writes them as NDJSON lines).
import type { Passage } from '../documents/library.ts';
import type { AnswerEvent } from '../ndjson.ts';
import { fitPrompt, pickPassages, toSources } from './prompt.ts';

export interface Answerer {
  readonly backend: string;
  readonly contextSize: number;
  countTokens(text: string): number;
  generate(prompt: string, maxTokens: number, onText: (text: string) => void, signal: AbortSignal): Promise<Generated>;
}

export interface Generated {
  tokens: number;
  firstTokenMs: number | null;
  ms: number;
  stopped: 'done' | 'aborted';
}

export interface AskOptions {
  maxTokens: number;
  passages: number;
  perFile: number;
}

export const DEFAULT_ASK: AskOptions = { maxTokens: 256, passages: 4, perFile: 2 };

export interface AskResult {
  tokens: number;
  tokensPerSecond: number | null;
  stopped: 'done' | 'aborted';
}

/**
 * Generation speed: the tokens after the first over the time since the first, so the prompt's
 * evaluation (its length varies with the passages) does not blur the model's speed. 0 when unknown.
 */
export function tokensPerSecond(g: Generated): number {
  if (g.firstTokenMs === null || g.tokens < 2 || g.ms <= g.firstTokenMs) return 0;
  return Math.round(((g.tokens - 1) / (g.ms - g.firstTokenMs)) * 1000 * 100) / 100;
}

export async function answer(
  question: string,
  library: { search(question: string, limit: number): Passage[] },
  model: Answerer,
  options: AskOptions,
  emit: (event: AnswerEvent) => void,
  signal: AbortSignal,
): Promise<AskResult> {
  const started = performance.now();
  const ranked = pickPassages(library.search(question, options.passages * 4), options.passages, options.perFile);
  // Room for the answer, and a little for the tokenizer's start-of-text marker.
  const budget = model.contextSize - options.maxTokens - 8;
  const fitted = fitPrompt(question, ranked, (t) => model.countTokens(t), budget);
  emit({ type: 'sources', sources: toSources(fitted.passages) });
  const generated = await model.generate(fitted.prompt, options.maxTokens, (text) => emit({ type: 'token', text }), signal);
  const speed = tokensPerSecond(generated);
  if (generated.stopped === 'done') {
    emit({
      type: 'done',
      tokens: generated.tokens,
      tokensPerSecond: speed,
      backend: model.backend,
      ms: Math.round(performance.now() - started),
    });
  }
  return { tokens: generated.tokens, tokensPerSecond: speed > 0 ? speed : null, stopped: generated.stopped };
}

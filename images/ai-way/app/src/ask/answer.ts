// One question, answered: the best passages, a prompt that fits, the model's tokens as they
// come, then the figures. Events go to `emit` (the HTTP layer writes them as NDJSON lines).
import type { Library } from '../documents/library.ts';
import type { AnswerEvent } from '../ndjson.ts';
import { fitPrompt, pickPassages, toSources } from './prompt.ts';

export interface Answerer {
  readonly backend: string;
  readonly contextSize: number;
  countTokens(text: string): number;
  generate(
    prompt: string,
    maxTokens: number,
    onText: (text: string) => void,
    signal: AbortSignal,
  ): Promise<{ tokens: number; ms: number; stopped: 'done' | 'aborted' }>;
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

function rate(tokens: number, ms: number): number {
  return ms > 0 ? Math.round((tokens / ms) * 1000 * 100) / 100 : 0;
}

export async function answer(
  question: string,
  library: Library,
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
  const tokensPerSecond = rate(generated.tokens, generated.ms);
  if (generated.stopped === 'done') {
    emit({ type: 'done', tokens: generated.tokens, tokensPerSecond, backend: model.backend, ms: Math.round(performance.now() - started) });
  }
  return { tokens: generated.tokens, tokensPerSecond: generated.tokens > 0 ? tokensPerSecond : null, stopped: generated.stopped };
}

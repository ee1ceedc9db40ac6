// The model, through node-llama-cpp and its prebuilt binaries only (build: 'never': nothing is
// compiled or downloaded in the appliance). A GPU backend that fails falls back to the processor,
// and says so in a warning.
import { statSync } from 'node:fs';
import { getLlama, type Llama, LlamaCompletion, type LlamaContext, LlamaLogLevel, type LlamaModel } from 'node-llama-cpp';
import type { Backend } from './backend.ts';

export interface ModelOptions {
  file: string;
  backend: Backend;
  threads: number;
  contextSize: number;
}

export interface ModelInfo {
  file: string;
  bytes: number;
  architecture: string;
  name?: string;
}

export interface Generation {
  tokens: number;
  /** Milliseconds from the start (the prompt's evaluation included) to the first token, and to the end. */
  firstTokenMs: number | null;
  ms: number;
  stopped: 'done' | 'aborted';
}

const BACKEND_NAMES: Record<Backend, string> = { cpu: 'the processor', cuda: 'CUDA', vulkan: 'Vulkan' };

function logger(level: LlamaLogLevel, message: string): void {
  if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal || level === LlamaLogLevel.warn) {
    process.stderr.write(`llama: ${message.trimEnd()}\n`);
  }
}

async function open(backend: Backend, options: ModelOptions): Promise<{ llama: Llama; model: LlamaModel; context: LlamaContext }> {
  const llama = await getLlama({ gpu: backend === 'cpu' ? false : backend, build: 'never', logLevel: LlamaLogLevel.warn, logger });
  try {
    const model = await llama.loadModel({ modelPath: options.file, gpuLayers: backend === 'cpu' ? 0 : 'auto' });
    const context = await model.createContext({ contextSize: options.contextSize, threads: options.threads, sequences: 1 });
    return { llama, model, context };
  } catch (error) {
    await llama.dispose().catch(() => {});
    throw error;
  }
}

export class Model {
  readonly warnings: string[] = [];
  backend: Backend = 'cpu';
  info: ModelInfo | null = null;
  contextSize = 0;
  #model: LlamaModel | null = null;
  #context: LlamaContext | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  async load(options: ModelOptions): Promise<void> {
    const bytes = statSync(options.file).size;
    let opened: Awaited<ReturnType<typeof open>>;
    try {
      opened = await open(options.backend, options);
      this.backend = options.backend;
    } catch (error) {
      if (options.backend === 'cpu') throw error;
      const why = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      this.warnings.push(`${BACKEND_NAMES[options.backend]} could not be used (${why}); answers come from the processor, more slowly`);
      opened = await open('cpu', options);
      this.backend = 'cpu';
    }
    this.#model = opened.model;
    this.#context = opened.context;
    this.contextSize = opened.context.contextSize;
    const general = opened.model.fileInfo.metadata.general;
    this.info = {
      file: options.file,
      bytes,
      architecture: String(general.architecture),
      ...(general.name ? { name: String(general.name) } : {}),
    };
  }

  countTokens(text: string): number {
    return this.#model ? this.#model.tokenize(text).length : Math.ceil(text.length / 2);
  }

  /** Generates one answer at a time: a second question waits for the first (one sequence, one context). */
  generate(prompt: string, maxTokens: number, onText: (text: string) => void, signal: AbortSignal): Promise<Generation> {
    const run = this.#queue.then(() => this.#generate(prompt, maxTokens, onText, signal));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #generate(prompt: string, maxTokens: number, onText: (text: string) => void, signal: AbortSignal): Promise<Generation> {
    if (!this.#context) throw new Error('the model is not loaded yet');
    const started = performance.now();
    if (signal.aborted) return { tokens: 0, firstTokenMs: null, ms: 0, stopped: 'aborted' };
    const sequence = this.#context.getSequence();
    const completion = new LlamaCompletion({ contextSequence: sequence });
    let tokens = 0;
    let firstTokenMs: number | null = null;
    try {
      const result = await completion.generateCompletionWithMeta(prompt, {
        maxTokens,
        signal,
        stopOnAbortSignal: true,
        temperature: 0.3,
        topP: 0.9,
        onToken: (t) => {
          firstTokenMs ??= performance.now() - started;
          tokens += t.length;
        },
        onTextChunk: onText,
      });
      return {
        tokens,
        firstTokenMs,
        ms: performance.now() - started,
        stopped: result.metadata.stopReason === 'abort' ? 'aborted' : 'done',
      };
    } finally {
      // The next question starts from an empty context: nothing of this one is kept.
      sequence.dispose();
      completion.dispose();
    }
  }
}

// Wires the parts together: the library the indexer fills, the model, and the routes over them.
import type { Server } from 'node:http';
import { answer, DEFAULT_ASK } from './ask/answer.ts';
import type { Config } from './config.ts';
import { Indexer } from './documents/indexer.ts';
import { Library } from './documents/library.ts';
import { startServer } from './http/server.ts';
import { allowedThreads, wantedBackend } from './llm/devices.ts';
import { Model } from './llm/llm.ts';

export interface App {
  server: Server;
  port: number;
  /** Settles when the model is loaded and the indexer runs; rejects with one line when either cannot start. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export async function startApp(config: Config, log: (line: string) => void): Promise<App> {
  const library = new Library();
  const indexer = new Indexer(library, { workspace: config.workspace, maxDocumentBytes: config.maxDocumentBytes, rescanMs: 2000, log });
  const model = new Model();
  const threads = config.threads ?? allowedThreads();
  let lastTokensPerSecond: number | null = null;
  let loaded = false;

  const server = await startServer(
    {
      ready: () => loaded && indexer.watching,
      status: () => ({
        model: model.info,
        backend: model.backend,
        warnings: model.warnings,
        threads,
        contextSize: model.contextSize || config.contextSize,
        lastTokensPerSecond,
        documents: library.indexedCount,
      }),
      documents: () => ({ documents: library.list() }),
      ask: async (question, emit, signal) => {
        const result = await answer(question, library, model, { ...DEFAULT_ASK, maxTokens: config.maxTokens }, emit, signal);
        if (result.tokensPerSecond !== null) lastTokensPerSecond = result.tokensPerSecond;
        if (result.stopped === 'aborted') log(`answer stopped after ${result.tokens} tokens: the connection closed`);
        else log(`answered: ${result.tokens} tokens, ${result.tokensPerSecond ?? 0} tokens/s`);
      },
    },
    config.host,
    config.port,
  );
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;

  const backend = config.backend ?? wantedBackend();
  const ready = (async () => {
    await indexer.start().catch((e: Error) => {
      throw new Error(`the workspace ${config.workspace} cannot be watched: ${e.message}`);
    });
    const started = performance.now();
    await model.load({ file: config.model, backend, threads, contextSize: config.contextSize }).catch((e: Error) => {
      throw new Error(`the model ${config.model} could not be loaded: ${e.message.split('\n')[0]}`);
    });
    loaded = true;
    for (const w of model.warnings) log(`warning: ${w}`);
    log(
      `model loaded in ${Math.round(performance.now() - started)} ms: ${model.backend}, ${threads} threads, context ${model.contextSize}`,
    );
  })();

  return {
    server,
    port,
    ready,
    stop: async () => {
      indexer.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

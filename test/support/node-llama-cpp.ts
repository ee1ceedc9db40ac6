// node-llama-cpp for tests that run a model: it lives with the app (images/ai-way/app) or at the
// root, whichever has it; AI_WAY_NODE_LLAMA_CPP names another folder that holds its node_modules.
// Loaded by a dynamic import so that a checkout without it still runs every other test.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The folders searched, in order: each one's node_modules may hold node-llama-cpp. */
export function nodeLlamaCppHomes(): string[] {
  const extra = process.env.AI_WAY_NODE_LLAMA_CPP;
  return [...(extra ? [extra] : []), path.join(ROOT, 'images/ai-way/app'), ROOT];
}

// The little of its API the tests use, typed here: the checkout may not have its types.
export interface LlamaModel {
  tokenize(text: string): number[];
  detokenize(tokens: readonly number[]): string;
  fileInfo: { metadata: { general: { architecture?: string; name?: string } } };
  createContext(o: { contextSize: number; threads?: number }): Promise<{ getSequence(): unknown; dispose(): Promise<void> }>;
  dispose(): Promise<void>;
}
export interface NodeLlamaCpp {
  getLlama(o: {
    gpu: false;
    build: 'never';
  }): Promise<{ loadModel(o: { modelPath: string }): Promise<LlamaModel>; dispose(): Promise<void> }>;
  LlamaCompletion: new (o: {
    contextSequence: unknown;
  }) => {
    generateCompletion(prompt: string, o: { maxTokens: number; temperature: number; onToken?: (t: number[]) => void }): Promise<string>;
  };
}

/** The module, or why there is none (a reason for a SKIPPING line). */
export async function loadNodeLlamaCpp(): Promise<{ module: NodeLlamaCpp } | { missing: string }> {
  for (const home of nodeLlamaCppHomes()) {
    if (!existsSync(path.join(home, 'node_modules/node-llama-cpp/package.json'))) continue;
    const entry = createRequire(path.join(home, 'package.json')).resolve('node-llama-cpp');
    return { module: await import(pathToFileURL(entry).href) };
  }
  return { missing: `node-llama-cpp is not installed in ${nodeLlamaCppHomes().join(' or ')}` };
}

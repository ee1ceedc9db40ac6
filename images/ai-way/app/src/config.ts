// The app's settings: fixed inside the appliance, changeable by environment for tests on a host.
export interface Config {
  port: number;
  host: string;
  workspace: string;
  model: string;
  contextSize: number;
  maxTokens: number;
  maxDocumentBytes: number;
  /** Threads to use instead of the CPUs the cgroup allows (benchmarks and tests on a busy host). */
  threads: number | null;
  /** A backend to use instead of the one the devices suggest (tests: cpu). */
  backend: 'cpu' | 'cuda' | 'vulkan' | null;
}

function integer(env: NodeJS.ProcessEnv, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${key} must be a whole number from ${min} to ${max} (got "${raw}")`);
  return n;
}

function backend(raw: string | undefined): Config['backend'] {
  if (raw === undefined || raw === '' || raw === 'auto') return null;
  if (raw === 'cpu' || raw === 'cuda' || raw === 'vulkan') return raw;
  throw new Error(`AIWAY_BACKEND must be auto, cpu, cuda or vulkan (got "${raw}")`);
}

export function configFrom(env: NodeJS.ProcessEnv): Config {
  return {
    port: integer(env, 'AIWAY_PORT', 8080, 0, 65535),
    host: '127.0.0.1',
    workspace: env.AIWAY_WORKSPACE || '/workspace',
    model: env.AIWAY_MODEL || '/model/model.gguf',
    contextSize: integer(env, 'AIWAY_CONTEXT_SIZE', 2048, 256, 131072),
    maxTokens: integer(env, 'AIWAY_MAX_TOKENS', 256, 1, 8192),
    // One document's bytes, its text and its passages are in memory at once while it is indexed.
    maxDocumentBytes: integer(env, 'AIWAY_MAX_DOCUMENT_BYTES', 64 * 1024 * 1024, 1, 2 ** 31),
    threads: env.AIWAY_THREADS ? integer(env, 'AIWAY_THREADS', 1, 1, 1024) : null,
    backend: backend(env.AIWAY_BACKEND),
  };
}

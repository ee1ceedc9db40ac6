#!/usr/bin/env node
// Runs the built launcher; says how to build it when it is missing.
import { existsSync } from 'node:fs';

const built = new URL('../build/ai-way.mjs', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write('ai-way: not built yet: run "npm ci" (or "npm run build") in the ai-way folder first\n');
  process.exit(3);
}
await import(built.href);

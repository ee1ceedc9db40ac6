// The appliance's app: `node /app/main.mjs`. Settings come from the environment (config.ts).
import { startApp } from './app.ts';
import { configFrom } from './config.ts';

const log = (line: string) => process.stdout.write(`ai-way-app: ${line}\n`);

function fail(error: unknown): never {
  process.stderr.write(`ai-way-app: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

try {
  const config = configFrom(process.env);
  const app = await startApp(config, log);
  log(`listening on ${config.host}:${app.port}`);
  // A model that cannot load is the end of this app: say why in one line, and exit so the launcher sees it.
  app.ready.catch(fail);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));
} catch (error) {
  fail(error);
}

import { runCli } from './main.ts';

void runCli(process.argv.slice(2));

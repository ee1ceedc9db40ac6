// The reports a finished run leaves for CI: its JUnit XML (--junit FILE) and, under GitHub Actions,
// its annotations and step summary. Written after the wipe, so a report cannot keep anything alive.
import { appendFile, writeFile } from 'node:fs/promises';
import { EXIT } from '../../appliance/failures.ts';
import { annotations, stepSummary } from '../ci/github.ts';
import { junitXml } from '../ci/junit.ts';
import type { RunRecord } from '../ci/record.ts';

/**
 * Writes the reports; null when all went well, else the exit code of a report that could not be
 * written (bad input: the path given), its reason said in one line on stderr.
 */
export async function writeReports(r: RunRecord, o: { junit?: string; json: boolean }, env: NodeJS.ProcessEnv): Promise<number | null> {
  let failed: number | null = null;
  const attempt = async (what: string, write: () => Promise<void>) => {
    try {
      await write();
    } catch (e) {
      process.stderr.write(
        `ai-way: ${what} could not be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check the path\n`,
      );
      failed = r.exitCode || EXIT.badInput;
    }
  };
  if (o.junit) await attempt(`the JUnit file ${o.junit}`, () => writeFile(o.junit!, junitXml(r)));
  if (env.GITHUB_ACTIONS === 'true') {
    // GitHub reads workflow commands from both streams; with --json, stdout holds JSON lines only.
    const lines = annotations(r);
    if (lines.length) (o.json ? process.stderr : process.stdout).write(`${lines.join('\n')}\n`);
    const summary = env.GITHUB_STEP_SUMMARY;
    if (summary) await attempt(`the step summary ${summary}`, () => appendFile(summary, stepSummary(r)));
  }
  return failed;
}

// The example GitHub Actions workflow says what the README says: it runs the single executable with
// options ai-way takes, writes the JUnit file it uploads, and lets the exit code fail the job.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../launcher/cli/parse.ts';
import { ROOT } from '../support/rootless.ts';

const workflow = readFileSync(path.join(ROOT, 'examples/github-actions/smoke.yml'), 'utf8');
/** The words of the first `./ai-way run ... >` in a text, its line continuations joined. */
const runIn = (text: string) => /\.\/ai-way (run [^>]+?)\s*>/s.exec(text)![1]!.replace(/\\\n/g, ' ').split(/\s+/).filter(Boolean);

describe('examples/github-actions/smoke.yml', () => {
  const argv = runIn(workflow);

  it('runs ai-way with options it takes, headless, a smoke file and a JUnit file', () => {
    const line = parseCommandLine(argv);
    expect(line.command.words).toEqual(['run']);
    expect(line.values).toMatchObject({ headless: true, json: true, smoke: 'ci/smoke.toml', junit: 'ai-way-junit.xml', timeout: 300 });
  });

  it('uploads that JUnit file whatever happened, and nothing swallows the exit code', () => {
    expect(workflow).toMatch(/if: always\(\)\n\s+uses: actions\/upload-artifact@v4[\s\S]*path: \|\n\s+ai-way-junit\.xml/);
    expect(workflow).not.toMatch(/continue-on-error|\|\| true|; true/);
  });

  it('is the one the README shows', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('(examples/github-actions/smoke.yml)');
    expect(runIn(readme.slice(readme.indexOf('### Smoke tests in CI')))).toEqual(argv);
  });
});

// What CI reads of a real headless run of the selftest appliance (rootful Podman) with a smoke file
// of its own: the JSON lines and their closing result, the JUnit file, and under GitHub Actions the
// annotations and the step summary. A passing question leaves no error anywhere; a failing one
// gives exit 8, a JUnit failure with the question and the answer, and an ::error:: line.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../launcher/exit-codes.ts';
import { BIN } from '../support/rootless.ts';
import { endRuns, type Run, type Runner, rootful, startRun, takeSessionTurns } from '../support/sessions.ts';
import { childrenNamed, parseXml } from '../support/xml.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-way-ci-'));
const summary = path.join(dir, 'summary.md');
const GITHUB = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary };
// The run as GitHub's runner starts it.
const onGitHub: Runner = {
  ...rootful,
  aiWay: (args, nodeArgs = []) =>
    spawn(process.execPath, [...nodeArgs, BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...GITHUB }, stdio: 'pipe', cwd: '/' }),
};

writeFileSync(path.join(dir, 'notes.md'), 'The lighthouse is painted red.\n');
/** A smoke file whose second question wants `wanted` in its answer (the selftest's answer repeats the question). */
function smokeFile(name: string, wanted: string): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    `documents = ["notes.md"]\n\n[[questions]]\nask = "lighthouse"\ncontains = "notes.md"\n\n` +
      `[[questions]]\nask = "which colour <is> it & why"\ncontains = "${wanted}"\n`,
  );
  return file;
}

const skip = process.getuid?.() !== 0 ? 'rootful Podman needs root' : spawnSync('podman', ['--version']).error ? 'no Podman' : '';

describe.skipIf(skip)('run --headless --json --junit --smoke under GitHub Actions', () => {
  takeSessionTurns();
  const runs: Run[] = [];
  afterEach(() => endRuns(runs));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = async (smoke: string, junit: string) => {
    writeFileSync(summary, '');
    const r = startRun(onGitHub, ['--smoke', smoke, '--junit', junit]);
    runs.push(r);
    const code = await r.exit;
    const cases = childrenNamed(childrenNamed(parseXml(readFileSync(junit, 'utf8')), 'testsuite')[0]!, 'testcase');
    return { r, code, cases, stderr: r.stderr.join(''), summary: readFileSync(summary, 'utf8') };
  };

  it('passing: exit 0, a result event last, every step a testcase, no error anywhere', async () => {
    const { r, code, cases, stderr, summary: md } = await run(smokeFile('pass.toml', 'which colour'), path.join(dir, 'pass.xml'));
    expect(code).toBe(EXIT.ok);
    expect(r.events.at(-1)).toMatchObject({ type: 'result', exitCode: 0, reason: 'ok' });
    expect(r.events.at(-1).durationMs).toBeGreaterThan(0);
    expect(r.events.filter((e) => e.type === 'smoke').map((e) => [e.question, e.ok])).toEqual([
      ['hello', true],
      ['lighthouse', true],
      ['which colour <is> it & why', true],
    ]);
    const facts = r.events.find((e) => e.type === 'verified').facts.map((f: { id: string }) => f.id);
    expect(cases.map((c) => c.attributes.name)).toEqual(['boot', ...facts, 'hello', 'lighthouse', 'which colour <is> it & why', 'wipe']);
    expect(cases.flatMap((c) => childrenNamed(c, 'failure'))).toEqual([]);
    expect(stderr).not.toContain('::error');
    expect(md).toContain('✅ passed');
    expect(md).toContain('| ✅ | network | network interfaces: lo |');
  }, 120_000);

  it('failing question: exit 8, its JUnit failure with the question and the answer, one ::error:: line, stdout JSON only', async () => {
    const { r, code, cases, stderr, summary: md } = await run(smokeFile('fail.toml', 'purple'), path.join(dir, 'fail.xml'));
    expect(code).toBe(EXIT.smokeFailed);
    expect(r.events.at(-1)).toMatchObject({
      type: 'result',
      exitCode: EXIT.smokeFailed,
      reason: 'smoke',
      message: '1 of 2 smoke question(s) failed',
    });
    expect(r.events.some((e) => e.type === 'error')).toBe(false);
    const failed = cases.filter((c) => childrenNamed(c, 'failure').length);
    expect(failed.map((c) => c.attributes.name)).toEqual(['which colour <is> it & why']);
    const failure = childrenNamed(failed[0]!, 'failure')[0]!;
    expect(failure.attributes.message).toBe('the answer does not contain "purple" (question: which colour <is> it & why)');
    expect(failure.text).toContain('question: which colour <is> it & why\nanswer (HTTP 200): question: which colour <is> it & why');
    const errors = stderr.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^::error title=ai-way smoke question failed::the answer does not contain "purple"%0Aquestion: which colour <is>/,
    );
    expect(stderr).toContain('ai-way: 1 of 2 smoke question(s) failed; ');
    expect(md).toContain('❌ failed (exit 8, smoke)');
  }, 120_000);

  it('without --json, the annotation is on stdout with the lines for a person', () => {
    const r = spawnSync(process.execPath, [BIN, 'run', '--headless', '--smoke', smokeFile('text.toml', 'purple')], {
      env: { ...process.env, NO_COLOR: '1', ...GITHUB },
      encoding: 'utf8',
      cwd: '/',
      timeout: 120_000,
    });
    expect(r.status).toBe(EXIT.smokeFailed);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('::error'))).toHaveLength(1);
    expect(r.stderr).not.toContain('::error');
  });

  it('a smoke file that is not TOML: one line with file:line:column, exit 3, nothing started', () => {
    const bad = path.join(dir, 'bad.toml');
    writeFileSync(bad, '[[questions]]\nask = "unclosed\n');
    const r = spawnSync(process.execPath, [BIN, 'run', '--headless', '--json', '--smoke', bad], { encoding: 'utf8', cwd: '/' });
    expect(r.status).toBe(EXIT.badInput);
    expect(r.stderr).toMatch(new RegExp(`^ai-way: ${bad}:2:\\d+: TOML syntax error: [^\\n]+\\n$`));
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ schema: 1, type: 'result', reason: 'manifest', exitCode: EXIT.badInput });
  });
});

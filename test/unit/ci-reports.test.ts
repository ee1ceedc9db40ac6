// The reports a run leaves for CI, from a record of its events: JUnit XML (read back by a strict XML
// parser), GitHub's annotations escaped as its runner unescapes them, and the step summary.
import { describe, expect, it, vi } from 'vitest';
import { EXIT } from '../../appliance/failures.ts';
import { Failure } from '../../appliance/failures.ts';
import type { IsolationFact } from '../../appliance/isolation.ts';
import { annotations, cell, escapeData, escapeProperty, stepSummary } from '../../launcher/ci/github.ts';
import { junitXml, xmlText } from '../../launcher/ci/junit.ts';
import { newRecord, type RunRecord, recordEvent, type SmokeResult } from '../../launcher/ci/record.ts';
import type { SessionEvent } from '../../launcher/session/events.ts';
import { childrenNamed, parseXml } from '../support/xml.ts';

const HOSTILE = 'a <b> & "c" \'d\' ]]> \u0000\u0007\u001b[2J\r\n\ud800 e';
const facts: IsolationFact[] = [
  { id: 'network', ok: true, detail: 'network interfaces: lo' },
  { id: 'memory-limit', ok: true, warning: true, detail: 'memory: not enforced' },
];
const smoke = (question: string, ok: boolean, answer = 'an answer'): SmokeResult => ({
  type: 'smoke',
  ok,
  status: 200,
  ms: 12,
  detail: ok ? 'the app answered as expected' : 'the answer does not contain "red"',
  question,
  answer,
  tokens: null,
  tokensPerSecond: null,
});

function recordOf(events: SessionEvent[], o: { failure?: Failure; planned?: string[] } = {}): RunRecord {
  const r = events.reduce(recordEvent, newRecord('selftest', o.planned ?? [], new Date('2026-01-02T03:04:05.000Z')));
  return { ...r, durationMs: 1500, failure: o.failure ?? null, exitCode: o.failure?.exitCode ?? 0, logTail: 'agent: last words' };
}

const booted: SessionEvent[] = [
  { type: 'progress', stage: 'starting', message: 'starting', elapsedMs: 1 },
  { type: 'verified', proven: true, facts, limits: { memory: null, cpu: null, pids: 'rlimit' }, devices: [] },
  { type: 'ready', bootMs: 300, platform: 'linux', guest: null },
];
const wiped: SessionEvent = { type: 'wiped', ms: 70, reason: 'the headless run is complete' };
const passing = recordOf([...booted, smoke('hello', true), wiped]);
const failing = recordOf([...booted, smoke('hello', true), smoke(`which colour? ${HOSTILE}`, false, `blue ${HOSTILE}`), wiped], {
  failure: new Failure('smoke', '1 of 2 smoke question(s) failed'),
  planned: [`which colour? ${HOSTILE}`, 'never asked'],
});

const cases = (xml: string) => childrenNamed(childrenNamed(parseXml(xml), 'testsuite')[0]!, 'testcase');

describe('JUnit XML', () => {
  it('a passing run: one testsuite, testcases boot, each fact, each question, wipe; no failure', () => {
    const root = parseXml(junitXml(passing));
    expect(root.name).toBe('testsuites');
    const suites = childrenNamed(root, 'testsuite');
    expect(suites).toHaveLength(1);
    expect(suites[0]!.attributes).toMatchObject({ tests: '5', failures: '0', errors: '0', skipped: '0', time: '1.500' });
    expect(suites[0]!.attributes.timestamp).toBe('2026-01-02T03:04:05.000Z');
    expect(cases(junitXml(passing)).map((c) => [c.attributes.classname, c.attributes.name, c.attributes.time])).toEqual([
      ['ai-way.selftest', 'boot', '0.300'],
      ['ai-way.selftest.isolation', 'network', '0.000'],
      ['ai-way.selftest.isolation', 'memory-limit', '0.000'],
      ['ai-way.selftest.smoke', 'hello', '0.012'],
      ['ai-way.selftest', 'wipe', '0.070'],
    ]);
    expect(cases(junitXml(passing)).flatMap((c) => childrenNamed(c, 'failure'))).toEqual([]);
  });

  it('a failing question: its testcase fails with the question, the answer and the log tail, hostile text escaped', () => {
    const xml = junitXml(failing);
    const all = cases(xml);
    const failed = all.filter((c) => childrenNamed(c, 'failure').length);
    // What XML cannot hold at all comes as \uXXXX; the rest, line breaks too, comes back as it was.
    expect(failed.map((c) => c.attributes.name)).toEqual(['which colour? a <b> & "c" \'d\' ]]> \\u0000\\u0007\\u001b[2J\r\n\\ud800 e']);
    const f = childrenNamed(failed[0]!, 'failure')[0]!;
    expect(f.attributes.type).toBe('smoke');
    expect(f.attributes.message).toContain('the answer does not contain "red" (question: which colour? a <b> & "c"');
    expect(f.text).toContain('question: which colour? a <b> & "c" \'d\' ]]> \\u0000\\u0007\\u001b[2J\r\n\\ud800 e');
    expect(f.text).toContain('answer (HTTP 200): blue a <b>');
    expect(f.text).toContain("the appliance's last log lines:\nagent: last words");
    // The question the run never reached is reported, as skipped.
    const skipped = all.filter((c) => childrenNamed(c, 'skipped').length).map((c) => c.attributes.name);
    expect(skipped).toEqual(['never asked']);
    expect(parseXml(xml).attributes).toMatchObject({ tests: '7', failures: '1', skipped: '1' });
  });

  it('a run that did not boot fails its boot testcase; one that started nothing skips the wipe', () => {
    const notBooted = recordOf([], { failure: new Failure('manifest', 'x.toml:1:1: no such file', { detail: 'why' }) });
    const [boot, wipe] = cases(junitXml(notBooted));
    expect(childrenNamed(boot!, 'failure')[0]!.attributes).toEqual({ type: 'manifest', message: 'x.toml:1:1: no such file' });
    expect(childrenNamed(wipe!, 'skipped')).toHaveLength(1);
    const lost = recordOf([...booted], { failure: new Failure('stopped', 'the appliance stopped unexpectedly') });
    expect(cases(junitXml(lost)).map((c) => [c.attributes.name, childrenNamed(c, 'failure')[0]?.attributes.type])).toEqual([
      ['boot', undefined],
      ['network', undefined],
      ['memory-limit', undefined],
      ['session', 'stopped'],
      ['wipe', 'wipe'],
    ]);
  });

  it('xmlText leaves no character XML cannot hold', () => {
    for (let c = 0; c < 0x10000; c++) parseXml(`<a b="${xmlText(String.fromCharCode(c))}">${xmlText(String.fromCharCode(c))}</a>`);
  });
});

describe('GitHub Actions', () => {
  it('escapes messages and properties as the runner unescapes them (% first)', () => {
    expect(escapeData('100% done\r\nnext %0A')).toBe('100%25 done%0D%0Anext %250A');
    expect(escapeProperty('a: b, c%\n')).toBe('a%3A b%2C c%25%0A');
  });

  it('a passing run: no error, a warning per limit the host does not enforce', () => {
    expect(annotations(passing)).toEqual(['::warning title=ai-way isolation%3A memory-limit::memory: not enforced']);
  });

  it('a failing question: one ::error:: line with the question and the answer', () => {
    const errors = annotations(failing).filter((l) => l.startsWith('::error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^::error title=ai-way smoke question failed::the answer does not contain "red"%0Aquestion: which colour\? /);
    expect(errors[0]).toContain('%0Aanswer: blue ');
    expect(errors[0]).not.toMatch(/[\r\n]/);
  });

  it('a failure before any question is an error of the run itself', () => {
    const r = recordOf([], { failure: new Failure('boot', 'the appliance did not start') });
    expect(annotations(r)).toEqual([
      `::error title=ai-way run failed (boot)::the appliance did not start%0A${new Failure('boot', '').fix}`,
    ]);
  });

  it('the step summary: outcome, timings, the isolation table and the questions, one row per line', () => {
    const s = stepSummary(failing);
    const lines = [
      '❌ failed (exit 8, smoke): 1 of 2 smoke question(s) failed',
      '| boot (until the app answered) | 0.3 s |',
      '| wipe | 0.1 s |',
      '| whole run | 1.5 s |',
      '| ✅ | network | network interfaces: lo |',
      '| ⚠️ | memory-limit | memory: not enforced |',
      '| ⏭️ | never asked | not asked |',
    ];
    expect(lines.filter((l) => !s.split('\n').includes(l))).toEqual([]);
    const rows = s.split('\n').filter((l) => l.startsWith('| ❌'));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.split(/(?<!\\)\|/)).toHaveLength(5);
    expect(stepSummary(passing)).toContain('✅ passed');
    expect(cell('a|b <img src=x> &\nc')).toBe('a\\|b &lt;img src=x&gt; &amp; c');
  });
});

describe('writeReports', () => {
  it('a JUnit file that cannot be written: one line on stderr, exit 3 for a run that passed (its own code otherwise)', async () => {
    const { writeReports } = await import('../../launcher/commands/run-reports.ts');
    const said: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((t) => said.push(String(t)) > 0);
    try {
      expect(await writeReports(passing, { junit: '/nonexistent/dir/j.xml', json: true }, {})).toBe(EXIT.badInput);
      expect(await writeReports(failing, { junit: '/nonexistent/dir/j.xml', json: true }, {})).toBe(EXIT.smokeFailed);
      expect(await writeReports(passing, { json: true }, {})).toBeNull();
    } finally {
      spy.mockRestore();
    }
    expect(said[0]).toBe('ai-way: the JUnit file /nonexistent/dir/j.xml could not be written (ENOENT); check the path\n');
  });
});

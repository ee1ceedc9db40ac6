// The command line from its one table: each command takes its own options, a wrong word is answered
// with the nearest right one, durations read as the manifest reads them, and the README lists what
// the table holds.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { COMMANDS, flagSpec } from '../../launcher/cli/commands.ts';
import { commandHelp, overview, synopsis } from '../../launcher/cli/help.ts';
import { parseCommandLine } from '../../launcher/cli/parse.ts';
import type { Failure } from '../../appliance/failures.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const parse = (...argv: string[]) => parseCommandLine(argv);
const refusal = (...argv: string[]) => {
  try {
    parse(...argv);
  } catch (e) {
    return e as Failure;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
};

describe('parseCommandLine', () => {
  it('finds the command, its arguments and its options, converted', () => {
    expect(parse('bundle', 'collect', '/tmp/b')).toMatchObject({ command: { words: ['bundle', 'collect'] }, args: ['/tmp/b'] });
    expect(parse('plan', '--appliance=x.toml', '--json', '--image', 'alpine').values).toEqual({
      appliance: 'x.toml',
      json: true,
      image: 'alpine',
    });
    expect(parse('--hold', '--timeout', '1.5m')).toMatchObject({
      command: { words: ['run'] },
      named: false,
      values: { hold: true, timeout: 90 },
    });
    expect(parse('bundle', 'collect', '--', '--odd-name').args).toEqual(['--odd-name']);
    expect(parse('-V').values).toEqual({ version: true });
  });

  it('reads --timeout as the manifest reads a duration: 10s, 1.5m, 500ms, or seconds', () => {
    const timeout = (t: string) => parse('run', '--timeout', t).values.timeout;
    expect(['10s', '1.5m', '500ms', '10', '0.25'].map(timeout)).toEqual([10, 90, 0.5, 10, 0.25]);
    for (const bad of ['soon', '0', '0ms', '-1s', '10h', '2147484', 'Infinity']) {
      expect([bad, refusal('run', '--timeout', bad).code]).toEqual([bad, 'usage']);
    }
  });

  it.each([
    [['doctr'], 'unknown command "doctr"', 'did you mean "ai-way doctor"? (see "ai-way help")'],
    [['frobnicate'], 'unknown command "frobnicate"', 'see "ai-way help"'],
    [['doctor', '--bundel', 'x'], 'unknown option --bundel for "ai-way doctor"', 'did you mean --bundle?'],
    [['plan', '--hold'], '"ai-way plan" takes no --hold', expect.stringMatching(/^it takes --json, --bundle DIR, --appliance /)],
    [['doctor', '--appliance', 'x'], '"ai-way doctor" takes no --appliance', 'it takes --json, --bundle DIR, --debug, --help, --version'],
    [['plan', '--image', 'fedroa'], '--image must be one of auto, fedora, alpine (got "fedroa")', 'did you mean --image fedora?'],
    [['bundle', 'colect', 'x'], 'usage: ai-way bundle collect DIR', 'did you mean "ai-way bundle collect"?'],
    [['bundle', 'collect'], 'usage: ai-way bundle collect DIR', 'see "ai-way help bundle"'],
    [['gpu', 'cdi', 'extra'], expect.stringMatching(/^usage: ai-way gpu cdi \[--bundle DIR\]/), 'see "ai-way help gpu"'],
    [['run', '--json=yes'], '--json takes no value (got "yes")', 'write --json alone'],
    [['run', '--appliance'], '--appliance needs a value (NAME|PATH)', 'write it after the option, or as --appliance=VALUE'],
    [['help', 'doctr'], 'unknown command "doctr"', 'did you mean "ai-way doctor"? (see "ai-way help")'],
  ])('%j is a usage error that says the nearest right word', (argv, message, fix) => {
    expect(refusal(...argv)).toMatchObject({ code: 'usage', exitCode: 2, message, fix });
  });

  it('takes a request for help whatever else the line holds', () => {
    expect(parse('plan', '--hold', '--help')).toMatchObject({ command: { words: ['plan'] }, values: { help: true } });
  });
});

describe('help, from the table', () => {
  it('gives each command a page of its own: its synopsis and every option it takes', () => {
    for (const c of COMMANDS) {
      const page = commandHelp(c);
      expect(page.startsWith(`Usage: ai-way ${synopsis(c)}\n`)).toBe(true);
      for (const f of c.flags) expect([c.words, page.includes(flagSpec(c, f).help)]).toEqual([c.words, true]);
    }
  });

  it('lists every command in the overview and in the README', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const c of COMMANDS) {
      expect(overview('1.0.0')).toContain(`ai-way ${synopsis(c)}`);
      expect([c.words, readme.includes(`ai-way ${synopsis(c)}`)]).toEqual([c.words, true]);
    }
  });
});

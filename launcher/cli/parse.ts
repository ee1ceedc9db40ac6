// The command line read against the command table: the command, its arguments, and the options it
// takes, each checked and converted. Anything else is a usage error (exit 2) that names the nearest
// right word. Pure: argv in, a CommandLine or a Failure out.
import { closest } from '../../appliance/closest.ts';
import { DURATION_SYNTAX, parseDuration } from '../../appliance/duration.ts';
import { Failure } from '../../appliance/failures.ts';
import {
  COMMANDS,
  COMMON_FLAGS,
  DEFAULT_COMMAND,
  FLAGS,
  commandName,
  flagSpec,
  type CommandSpec,
  type FlagName,
  type FlagSpec,
} from './commands.ts';
import { flagUsage, synopsis } from './help.ts';

type FlagValue<F> = F extends { type: 'boolean' }
  ? boolean
  : F extends { type: 'duration' }
    ? number
    : F extends { values: readonly (infer V)[] }
      ? V
      : string;
export type FlagValues = { -readonly [K in FlagName]?: FlagValue<(typeof FLAGS)[K]> };

export interface CommandLine {
  command: CommandSpec;
  /** False when no command was named (ai-way alone runs the default appliance). */
  named: boolean;
  args: string[];
  values: FlagValues;
}

// The longest a Node timer can wait (2^31 - 1 ms, about 24.8 days): a longer one fires at once.
const MAX_DURATION_S = Math.floor((2 ** 31 - 1) / 1000);

interface Given {
  name: string;
  value?: string;
  written: string;
}

const usage = (message: string, fix?: string) => new Failure('usage', message, fix === undefined ? {} : { fix });
const helpOf = (c: CommandSpec) => `see "ai-way help ${c.words[0]}"`;
const isFlag = (name: string): name is FlagName => Object.hasOwn(FLAGS, name);

export function parseCommandLine(argv: readonly string[]): CommandLine {
  const { words, given } = split(argv);
  const named = words.length > 0;
  const command = named ? commandFor(words) : COMMANDS.find((c) => c.words[0] === DEFAULT_COMMAND)!;
  const args = words.slice(command.words.length);
  // Asking for help is never wrong: the rest of the line is not judged.
  if (given.some((g) => g.name === 'help')) return { command, named, args, values: { help: true } };
  const values: Record<string, unknown> = {};
  for (const g of given) values[g.name] = flagValue(command, g);
  if (command.words[0] === 'help' && args.length)
    commandFor(args, true); // "help bundle" and "help bundle collect" alike
  else checkArgs(command, args);
  return { command, named, args, values: values as FlagValues };
}

/** Words and options; an option's value is taken from "--name=value" or the next word. */
function split(argv: readonly string[]): { words: string[]; given: Given[] } {
  const words: string[] = [];
  const given: Given[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      words.push(a);
      continue;
    }
    const [written, inline] = a.startsWith('--') ? splitAt(a, '=') : [a, undefined];
    const name = written.startsWith('--')
      ? written.slice(2)
      : ((Object.entries(FLAGS) as [FlagName, FlagSpec][]).find(([, f]) => f.short === written.slice(1))?.[0] ?? written);
    const spec: FlagSpec | undefined = isFlag(name) ? FLAGS[name] : undefined;
    if (!spec || spec.type === 'boolean' || inline !== undefined) {
      given.push({ name, value: inline, written });
      continue;
    }
    const next = argv[i + 1];
    if (next === undefined || (next.startsWith('-') && next !== '-')) {
      const what = flagUsage(name as FlagName).split(' ')[1];
      throw usage(`--${name} needs a value (${what})`, `write it after the option, or as --${name}=VALUE`);
    }
    given.push({ name, value: next, written });
    i++;
  }
  return { words, given };
}

function splitAt(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/** The command these words name; a first word may begin several (models add, models list): the second tells them apart. */
export function commandFor(words: string[], forHelp = false): CommandSpec {
  const first = commandNamed(words[0]!);
  if (first.words.length === 1) return first;
  const family: CommandSpec[] = COMMANDS.filter((c) => c.words[0] === first.words[0]);
  const command = family.find((c) => c.words[1] === words[1]);
  if (command) return command;
  if (forHelp && words.length === 1) return first;
  const near =
    words[1] === undefined
      ? undefined
      : closest(
          words[1],
          family.map((c) => c.words[1]!),
        );
  const synopses = family.map((c) => `ai-way ${synopsis(c)}`).join(' | ');
  throw usage(`usage: ${synopses}`, near ? `did you mean "ai-way ${first.words[0]} ${near}"?` : helpOf(first));
}

/** The command whose first word this is (help takes "bundle" for "bundle collect"). */
export function commandNamed(word: string): CommandSpec {
  const command = COMMANDS.find((c) => c.words[0] === word);
  if (command) return command;
  const near = closest(
    word,
    COMMANDS.map((c) => c.words[0]),
  );
  throw usage(`unknown command "${word}"`, near ? `did you mean "ai-way ${near}"? (see "ai-way help")` : undefined);
}

function flagValue(command: CommandSpec, g: Given): unknown {
  const takes = [...command.flags, ...COMMON_FLAGS];
  const where = `"ai-way ${commandName(command)}"`;
  if (!isFlag(g.name) || !takes.includes(g.name)) {
    const near = closest(g.name, takes);
    const problem = isFlag(g.name) ? `${where} takes no ${g.written}` : `unknown option ${g.written} for ${where}`;
    throw usage(problem, near ? `did you mean --${near}?` : `it takes ${takes.map((f) => flagUsage(f)).join(', ')}`);
  }
  const spec: FlagSpec = flagSpec(command, g.name);
  if (spec.type === 'boolean') {
    if (g.value !== undefined) throw usage(`--${g.name} takes no value (got "${g.value}")`, `write --${g.name} alone`);
    return true;
  }
  const value = g.value!;
  if (spec.type === 'duration') return seconds(g.name, value);
  if (spec.values && !spec.values.includes(value)) {
    const near = closest(value, spec.values);
    throw usage(
      `--${g.name} must be one of ${spec.values.join(', ')} (got "${value}")`,
      near ? `did you mean --${g.name} ${near}?` : helpOf(command),
    );
  }
  if (value === '') throw usage(`--${g.name} needs a value (${spec.value})`, helpOf(command));
  return value;
}

/** Seconds of a duration written as the manifest writes one. */
function seconds(name: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === null) throw usage(`--${name} must be ${DURATION_SYNTAX} (got "${text}")`, `for example --${name} 2m`);
  if (ms <= 0 || ms > MAX_DURATION_S * 1000) {
    throw usage(`--${name} must be above 0 and at most ${MAX_DURATION_S} s, about 24 days (got "${text}")`, `for example --${name} 2m`);
  }
  return ms / 1000;
}

function checkArgs(command: CommandSpec, args: string[]): void {
  const required = command.args.filter((a) => !a.optional).length;
  if (args.length < required || args.length > command.args.length || args.some((a) => a === '')) {
    throw usage(`usage: ai-way ${synopsis(command)}`, helpOf(command));
  }
}

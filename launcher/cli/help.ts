// Help, written from the command table: the list of commands, and each command's own page.
import { COMMANDS, COMMON_FLAGS, FLAGS, commandName, flagSpec, type CommandSpec, type FlagName, type FlagSpec } from './commands.ts';

/** "--bundle DIR", "--image auto|fedora|alpine", "--json". */
export function flagUsage(name: FlagName, c?: CommandSpec): string {
  const f: FlagSpec = flagSpec(c, name);
  const value = f.values ? f.values.join('|') : f.value;
  return value ? `--${name} ${value}` : `--${name}`;
}

/** "bundle collect DIR", "doctor [--json] [--bundle DIR]". */
export function synopsis(c: CommandSpec): string {
  const args = c.args.map((a) => (a.optional ? `[${a.name}]` : a.name));
  return [commandName(c), ...args, ...c.flags.map((f) => `[${flagUsage(f, c)}]`)].join(' ');
}

const EXIT_CODES = `Exit codes: 0 ok, 1 internal error, 2 usage error, 3 bad input, 4 prerequisite missing,
  5 boot failed, 6 not ready in time, 7 isolation not proven, 8 smoke check failed,
  9 not available on this platform yet, 130 interrupted`;

// Summaries start in this column, and lines end by the last.
const PAD = 33;
const WIDTH = 100;

/** Text wrapped at WIDTH, every line but the first indented to the summaries' column. */
function wrapped(text: string): string {
  const lines = [''];
  for (const word of text.split(' ')) {
    const line = lines.at(-1)!;
    if (line && PAD + line.length + 1 + word.length > WIDTH) lines.push(word);
    else lines[lines.length - 1] = line ? `${line} ${word}` : word;
  }
  return lines.join(`\n${' '.repeat(PAD)}`);
}

const DEFAULT_RUN = 'start the default appliance (selftest), with the options of run: the UI in a terminal, else headless';

/** The list of commands, as `ai-way help` and `ai-way --help` print it. */
export function overview(version: string): string {
  const lines = COMMANDS.map((c) => {
    const usage = `  ai-way ${synopsis(c)}`;
    return `${usage.length < PAD ? usage.padEnd(PAD) : `${usage}\n${' '.repeat(PAD)}`}${wrapped(c.summary)}`;
  });
  return `ai-way ${version}: start an isolated, air-gapped appliance and leave nothing behind

Usage:
  ai-way                         ${wrapped(DEFAULT_RUN)}
${lines.join('\n')}

Every command takes --debug (${FLAGS.debug.help}) and --help; ai-way --version prints the version.
${EXIT_CODES}
`;
}

/** One command's page, as `ai-way help CMD` and `ai-way CMD --help` print it. */
export function commandHelp(c: CommandSpec): string {
  const flags = [...c.flags, ...COMMON_FLAGS.filter((f) => f !== 'version')];
  const width = Math.max(...flags.map((f) => flagUsage(f, c).length));
  const rows = flags.map((f) => `  ${flagUsage(f, c).padEnd(width)}  ${flagSpec(c, f).help}`);
  return `Usage: ai-way ${synopsis(c)}

${c.summary[0]!.toUpperCase()}${c.summary.slice(1)}.

Options:
${rows.join('\n')}
`;
}

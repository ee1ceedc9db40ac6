// Commands typed at the prompt as a whole line, as in Ollama's REPL: typed text is never a
// shortcut, so a line starting with / is the only way words do something other than ask.

export type Command = 'help' | 'details' | 'quit';

export const COMMANDS: readonly { name: string; also: readonly string[]; command: Command; does: string }[] = [
  { name: '/help', also: ['/?'], command: 'help', does: 'this help' },
  { name: '/details', also: [], command: 'details', does: 'what runs here, and how it is sealed off' },
  { name: '/quit', also: ['/exit', '/bye'], command: 'quit', does: 'quit and erase everything (also Ctrl-C, or Ctrl-D on an empty line)' },
];

export type TypedCommand = { command: Command } | { unknown: string };

/**
 * The command a typed line names; for a /word that is no command, why not (with the command it
 * is closest to); null for anything else. A /word that is a path on this computer is a path.
 */
export function readCommand(text: string, isPath: (p: string) => boolean): TypedCommand | null {
  const word = text.trim();
  if (!/^\/[A-Za-z?]+$/.test(word)) return null;
  const typed = word.toLowerCase();
  const known = COMMANDS.find((c) => c.name === typed || c.also.includes(typed));
  if (known) return { command: known.command };
  if (isPath(word)) return null;
  const near = COMMANDS.find((c) => c.name.startsWith(typed) || [c.name, ...c.also].some((n) => editDistance(n, typed) <= 2));
  return {
    unknown: near
      ? `There is no command ${word}. Did you mean ${near.name}?`
      : `${word}: no such command or file. The commands: ${COMMANDS.map((c) => c.name).join(', ')}.`,
  };
}

/** Levenshtein distance: the fewest one-character edits between two words. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length]!;
}

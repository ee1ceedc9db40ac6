// Terminal styling that degrades: no colour when NO_COLOR is set or output is not a terminal,
// ASCII marks where the console may not show Unicode (the classic Windows console).
export interface Style {
  ok: string; bad: string; warn: string; skip: string; unknown: string;
  green(s: string): string; red(s: string): string; yellow(s: string): string; dim(s: string): string; bold(s: string): string;
}

/** What a terminal can show: colour (a terminal, not NO_COLOR, not dumb) and Unicode marks. */
export function terminalLook(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env, platform = process.platform): { color: boolean; unicode: boolean } {
  return {
    color: Boolean(stream.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb',
    unicode: platform !== 'win32' || Boolean(env.WT_SESSION) || env.TERM_PROGRAM === 'vscode',
  };
}

export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env, platform = process.platform): Style {
  const { color, unicode } = terminalLook(stream, env, platform);
  const paint = (code: number) => (s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  return {
    ok: unicode ? '✔' : '[ok]', bad: unicode ? '✘' : '[!!]', warn: unicode ? '!' : '[! ]', skip: unicode ? '–' : '[--]', unknown: unicode ? '?' : '[??]',
    green: paint(32), red: paint(31), yellow: paint(33), dim: paint(2), bold: paint(1),
  };
}

// Terminal styling that degrades: no colour when NO_COLOR is set or output is not a terminal,
// ASCII marks where the console may not show Unicode (TERM=dumb, LANG=C, the classic Windows console).
export interface Style {
  ok: string;
  bad: string;
  warn: string;
  skip: string;
  unknown: string;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

/**
 * What a terminal can show, decided here for every front end (doctor, plan, run, the UI): colour
 * (a terminal, not NO_COLOR, not dumb), Unicode marks (not a dumb terminal, not a locale other than
 * UTF-8 such as LANG=C, and on Windows only the consoles known to draw them), and whether it is
 * plain (TERM=dumb: no cursor movement, so a screen is written out whole, never redrawn).
 */
export function terminalLook(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env, platform = process.platform): TerminalLook {
  const plain = env.TERM === 'dumb';
  // The first of these that is set names the character set; with none set the terminal decides.
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG;
  const utf8 = locale ? /utf-?8/i.test(locale) : platform !== 'win32';
  const windowsGlyphs = Boolean(env.WT_SESSION) || env.TERM_PROGRAM === 'vscode';
  return {
    color: Boolean(stream.isTTY) && !env.NO_COLOR && !plain,
    unicode: !plain && (platform === 'win32' ? windowsGlyphs || (Boolean(locale) && utf8) : utf8),
    plain,
  };
}

export interface TerminalLook {
  color: boolean;
  unicode: boolean;
  plain: boolean;
}

export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env, platform = process.platform): Style {
  const { color, unicode } = terminalLook(stream, env, platform);
  const paint = (code: number) => (s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  return {
    ok: unicode ? '✔' : '[ok]',
    bad: unicode ? '✘' : '[!!]',
    warn: unicode ? '!' : '[! ]',
    skip: unicode ? '–' : '[--]',
    unknown: unicode ? '?' : '[??]',
    green: paint(32),
    red: paint(31),
    yellow: paint(33),
    dim: paint(2),
    bold: paint(1),
  };
}

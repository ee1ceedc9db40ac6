// Raw terminal input as keys and pastes: escape sequences stay whole, a bracketed paste (which may
// arrive in several reads) is one piece of text, and every other character is a key of its own.

const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

export const ESC = '\x1b';
export const isEnter = (key: string) => key === '\r' || key === '\n';
export const isBackspace = (key: string) => key === '\x7f' || key === '\b';
/** A key that types a character (not an escape sequence, not a control). */
export const isText = (key: string) => !key.startsWith(ESC) && key >= ' ' && key !== '\x7f';

export type ScrollKey = 'up' | 'down' | 'page up' | 'page down' | 'top' | 'bottom';
// The sequences xterm-like terminals send for them, in both cursor-key modes.
const SCROLL_KEYS: Record<string, ScrollKey> = {
  '\x1b[A': 'up',
  '\x1bOA': 'up',
  '\x1b[B': 'down',
  '\x1bOB': 'down',
  '\x1b[5~': 'page up',
  '\x1b[6~': 'page down',
  '\x1b[H': 'top',
  '\x1bOH': 'top',
  '\x1b[1~': 'top',
  '\x1b[F': 'bottom',
  '\x1bOF': 'bottom',
  '\x1b[4~': 'bottom',
};
export const scrollKey = (key: string): ScrollKey | null => SCROLL_KEYS[key] ?? null;

/** Feeds keys and whole pastes to its handlers, however the input is cut into reads. */
export class InputReader {
  private paste: string | null = null;

  constructor(
    private readonly onKey: (key: string) => void,
    private readonly onPaste: (text: string) => void,
  ) {}

  read(data: string): void {
    let rest = data;
    while (rest.length) {
      if (this.paste !== null) {
        const end = rest.indexOf(PASTE_END);
        this.paste += end < 0 ? rest : rest.slice(0, end);
        if (end < 0) return;
        const text = this.paste;
        this.paste = null;
        rest = rest.slice(end + PASTE_END.length);
        this.onPaste(text);
        continue;
      }
      const start = rest.indexOf(PASTE_START);
      const before = start < 0 ? rest : rest.slice(0, start);
      for (const key of splitKeys(before)) this.onKey(key);
      if (start < 0) return;
      this.paste = '';
      rest = rest.slice(start + PASTE_START.length);
    }
  }
}

/** Splits typed input into keys: escape sequences stay whole, other characters one by one. */
function splitKeys(text: string): string[] {
  const keys: string[] = [];
  for (let i = 0; i < text.length; ) {
    if (text[i] === ESC) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: an escape sequence starts with ESC
      const m = /^\x1b(\[[0-9;?]*[A-Za-z~]|O[A-Za-z]|.)?/s.exec(text.slice(i))!;
      keys.push(m[0]);
      i += m[0].length;
    } else {
      const ch = String.fromCodePoint(text.codePointAt(i)!);
      keys.push(ch);
      i += ch.length;
    }
  }
  return keys;
}

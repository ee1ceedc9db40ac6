// The UI's text as rows: each screen is a list of lines no wider than the window, so what is drawn
// is exactly as tall as counted (the layout can then keep it inside the window). Marks degrade to
// ASCII where the terminal cannot show Unicode (render/style.ts decides).

export type Color = 'green' | 'red' | 'yellow' | 'cyan' | 'gray';
export interface Span {
  text: string;
  color?: Color;
  bold?: boolean;
  inverse?: boolean;
}
/** One row of the window. */
export type Line = Span[];

export interface Look {
  color: boolean;
  unicode: boolean;
  /** A terminal without cursor movement (TERM=dumb): nothing moves, screens are written out whole. */
  plain: boolean;
  width: number;
  height: number;
}

export function marks(l: Pick<Look, 'unicode'>) {
  return l.unicode
    ? {
        ok: '✔',
        bad: '✘',
        skip: '–',
        unknown: '?',
        spin: '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏',
        full: '█',
        empty: '░',
        prompt: '›',
        dot: ' · ',
        more: '…',
        rule: '─',
        scroll: '↑↓ PgUp PgDn to scroll',
        source: '↳',
      }
    : {
        ok: '+',
        bad: 'x',
        skip: '-',
        unknown: '?',
        spin: '|/-\\',
        full: '#',
        empty: '.',
        prompt: '>',
        dot: ' - ',
        more: '...',
        rule: '-',
        scroll: 'Up/Down PgUp PgDn',
        source: '>',
      };
}

/** Characters, not UTF-16 units: what a row's width is counted in. */
export const width = (text: string): number => Array.from(text).length;

/** A line of plain text, optionally styled. */
export const line = (text: string, style: Omit<Span, 'text'> = {}): Line => [{ text, ...style }];

/** Text broken into rows of at most `cols` characters, at spaces where it can be; its own lines kept. */
export function wrap(text: string, cols: number): string[] {
  const max = Math.max(1, cols);
  const rows: string[] = [];
  for (const paragraph of text.replace(/\t/g, '    ').split('\n')) {
    let rest = Array.from(paragraph.trimEnd());
    if (rest.length === 0) rows.push('');
    while (rest.length > 0) {
      if (rest.length <= max) {
        rows.push(rest.join(''));
        break;
      }
      const space = rest.lastIndexOf(' ', max);
      const cut = space > 0 ? space : max;
      rows.push(rest.slice(0, cut).join('').trimEnd());
      rest = rest.slice(space > 0 ? cut + 1 : cut);
      while (rest[0] === ' ') rest.shift();
    }
  }
  return rows;
}

/** Text after a prefix, its further rows indented to line up under the text. */
export function hang(prefix: string | Line, text: string, cols: number, style: Omit<Span, 'text'> = {}): Line[] {
  const first: Line = typeof prefix === 'string' ? [{ text: prefix }] : prefix;
  const indent = ' '.repeat(first.reduce((n, span) => n + width(span.text), 0));
  return wrap(text, cols - width(indent)).map((row, i) => [...(i === 0 ? first : [{ text: indent }]), { text: row, ...style }]);
}

/** The line cut to `cols` characters (the layout never lets the terminal wrap a row). */
export function clip(row: Line, cols: number): Line {
  let left = cols;
  const out: Line = [];
  for (const span of row) {
    if (left <= 0) break;
    const chars = Array.from(span.text);
    out.push(chars.length <= left ? span : { ...span, text: chars.slice(0, left).join('') });
    left -= Math.min(left, chars.length);
  }
  return out;
}

export function bar(fraction: number, cols: number, l: Pick<Look, 'unicode'>): string {
  const m = marks(l);
  const full = Math.max(0, Math.min(cols, Math.round(fraction * cols)));
  return m.full.repeat(full) + m.empty.repeat(cols - full);
}

/** A mark that turns while something is under way; still where the terminal cannot redraw. */
export function spinner(now: number, l: Pick<Look, 'unicode' | 'plain'>): string {
  if (l.plain) return '*';
  const frames = Array.from(marks(l).spin);
  return frames[Math.floor(now / 100) % frames.length]!;
}

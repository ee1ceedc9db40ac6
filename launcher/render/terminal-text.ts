// Text that came from the appliance, made safe to show on a terminal. Control characters (C0, DEL
// and C1: escape sequences that move the cursor, set the title, write the clipboard, ...) and the
// bidi controls that reorder what is seen are shown as visible escapes instead of acting.
// JSON output needs none of this: JSON escapes them itself.

const BIDI = '\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069';
// eslint-disable-next-line no-control-regex
const UNSAFE = new RegExp(`[\\x00-\\x1f\\x7f-\\x9f${BIDI}]`, 'g');
// The same, less the newline and the tab of multi-line text.
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_LINES = new RegExp(`[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f${BIDI}]`, 'g');

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x1b': '\\e' };

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** The text with every control shown as an escape; `lines` keeps its newlines (and tabs), CRLF read as a newline. */
export function terminalText(text: string, lines = false): string {
  return lines ? text.replace(/\r\n/g, '\n').replace(UNSAFE_IN_LINES, visible) : text.replace(UNSAFE, visible);
}

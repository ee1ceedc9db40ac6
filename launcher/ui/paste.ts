// Pasted text that is really a drop of files. Dropping files onto a terminal window makes the
// terminal "type" their paths, each in its own style:
//   - macOS Terminal, iTerm2 (and zsh's own quoting): backslash-escaped, separated by spaces:
//       /Users/ann/My\ File\ \(1\).pdf /Users/ann/b.txt
//     WezTerm (outside Windows) by default escapes only the spaces the same way.
//   - GNOME Terminal and the other VTE terminals: each single-quoted (a literal ' written '\''),
//     separated by spaces, with a trailing space:  '/home/ann/a b.txt' '/home/ann/it'\''s.txt'
//   - Konsole and some others, and copy-then-paste from file managers: one path, or one
//     file:// URI (percent-encoded, lines ending \n or \r\n), per line.
//   - Windows Terminal: a path with spaces in double quotes, backslashes literal, several separated
//     by spaces:  "C:\Users\Ann\My Docs\x.docx" C:\tmp\y.txt
// The text is read each of these ways in turn; the first reading in which every word is an
// absolute path that exists wins. Anything else (a question that merely mentions a path, a
// relative path, a path that does not exist) is not a drop: null. A text whose every word is an
// absolute path, existing or not, is still shaped like paths (pathLike): a drop or a typed path of
// a file that is not there, to be refused as not found rather than asked as a question.

const START = '\x1b[200~';
const END = '\x1b[201~';

/** Strips bracketed-paste markers (\x1b[200~ ... \x1b[201~) if present; returns the inner text and whether they were there. */
export function unbracket(input: string): { text: string; bracketed: boolean } {
  let text = input;
  let bracketed = false;
  // A long paste can arrive as several bracketed pieces glued together: drop every marker.
  if (text.includes(START) || text.includes(END)) {
    text = text.split(START).join('').split(END).join('');
    bracketed = true;
  }
  // Some key parsers swallow the ESC of an unknown sequence and pass "[200~" on as typed text;
  // only at the very start or end, where nobody types them.
  if (text.startsWith('[200~')) {
    text = text.slice(5);
    bracketed = true;
  }
  if (bracketed && text.endsWith('[201~')) text = text.slice(0, -5);
  return { text, bracketed };
}

/**
 * The file paths in a paste, or null when the text is not (only) paths.
 * `exists(path)` says whether a path names something on this computer (inject fs.existsSync).
 */
export function pastedPaths(text: string, exists: (p: string) => boolean, platform: NodeJS.Platform = process.platform): string[] | null {
  // The native style first: on Windows a backslash is a path separator, elsewhere an escape.
  const readings = platform === 'win32' ? [windowsWords, shellWords, lineWords] : [shellWords, lineWords, windowsWords];
  for (const read of readings) {
    const paths = pathsOf(read(text), exists, platform);
    if (paths !== null && paths.length > 0) return [...new Set(paths)]; // a Set keeps first-seen order
  }
  return null;
}

/** The paths a text names when every word of it reads as an absolute path, whether or not they exist; else null. */
export function pathLike(text: string, platform: NodeJS.Platform = process.platform): string[] | null {
  return pastedPaths(text, () => true, platform);
}

// A reading yields words lazily, and null where the text cannot be read that way (an open quote):
// a long pasted question is given up on at its first word, not after tokenizing all of it.
type Words = Generator<string | null, void, undefined>;

/** Every word as an existing absolute path, or null as soon as one is not. */
function pathsOf(words: Words, exists: (p: string) => boolean, platform: NodeJS.Platform): string[] | null {
  const paths: string[] = [];
  for (const word of words) {
    const p = word === null ? null : hasFileScheme(word) ? fileUriPath(word, platform) : word;
    // Absoluteness is checked first so that the words of a long question cost no file-system look-up.
    if (p === null || !isAbsolute(p, platform) || !safeExists(exists, p)) return null;
    paths.push(p);
  }
  return paths;
}

function safeExists(exists: (p: string) => boolean, p: string): boolean {
  try {
    return exists(p);
  } catch {
    return false;
  }
}

// Word separators. Only ASCII blanks: a no-break space or an ideographic space belongs to a name.
function isBlank(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/**
 * POSIX shell words: blanks separate; a backslash takes the next character literally; '...' is
 * literal; "..." is literal except that a backslash escapes $ ` " \ and newline. No expansion
 * of any kind ($, ~, globs): a drop pastes names, not commands. Null when a quote is left open.
 */
function* shellWords(text: string): Words {
  let word = '';
  let inWord = false; // '' is an (empty) word, so "started" is not the same as "non-empty"
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (isBlank(c)) {
      if (inWord) yield word;
      word = '';
      inWord = false;
      i++;
    } else if (c === '\\') {
      const next = text[i + 1];
      if (next === undefined)
        word += '\\'; // a lone trailing backslash escapes nothing
      else if (next !== '\n') word += next; // backslash-newline is a line continuation: nothing
      inWord = true;
      i += 2;
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) {
        yield null;
        return;
      }
      word += text.slice(i + 1, close);
      inWord = true;
      i = close + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        const d = text[i];
        if (d === undefined) {
          yield null;
          return;
        }
        i++;
        if (d === '"') break;
        const e = text[i];
        if (d === '\\' && e !== undefined && '$`"\\\n'.includes(e)) {
          if (e !== '\n') word += e;
          i++;
        } else {
          word += d;
        }
      }
      inWord = true;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) yield word;
}

/**
 * Windows Terminal's words: blanks separate; "..." groups a name with spaces; nothing escapes
 * (a Windows name cannot hold a double quote, and "C:\My Dir\" must keep its last backslash).
 */
function* windowsWords(text: string): Words {
  let word = '';
  let inWord = false;
  let quoted = false;
  for (const c of text) {
    if (c === '"') {
      quoted = !quoted;
      inWord = true;
    } else if (isBlank(c) && !quoted) {
      if (inWord) yield word;
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quoted) {
    yield null;
    return;
  }
  if (inWord) yield word;
}

/** One raw path or URI per line, blanks around it ignored (a file manager's copied list, Konsole). */
function* lineWords(text: string): Words {
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let a = start;
    let b = end;
    while (a < b && isBlank(text[a]!)) a++;
    while (b > a && isBlank(text[b - 1]!)) b--;
    if (b > a) yield text.slice(a, b);
    start = end + 1;
  }
}

function hasFileScheme(word: string): boolean {
  return word.slice(0, 5).toLowerCase() === 'file:';
}

/**
 * The local path a file: URI names (file:///p, file://localhost/p, file:/p), percent-decoded as
 * UTF-8; null for a malformed one or one on another host (on Windows that host is a UNC share).
 */
function fileUriPath(uri: string, platform: NodeJS.Platform): string | null {
  let rest = uri.slice(5);
  let host = '';
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    if (slash < 0) return null;
    host = rest.slice(2, slash);
    rest = rest.slice(slash);
  }
  if (!rest.startsWith('/')) return null;
  let p: string;
  try {
    p = decodeURIComponent(rest); // throws on a bad escape or bytes that are not UTF-8
  } catch {
    return null;
  }
  const local = host === '' || host.toLowerCase() === 'localhost';
  if (platform !== 'win32') return local ? p : null;
  // file:///C:/Users/x -> C:\Users\x ; file://server/share/x -> \\server\share\x
  if (local && isDriveLetter(p[1]) && p[2] === ':') p = p.slice(1);
  p = p.split('/').join('\\');
  return local ? p : `\\\\${host}${p}`;
}

function isDriveLetter(c: string | undefined): boolean {
  return c !== undefined && c.length === 1 && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
}

/** C:\x, C:/x, \\server\share, //server/share. */
function isWindowsAbsolute(p: string): boolean {
  const slash = (s: string | undefined) => s === '\\' || s === '/';
  if (isDriveLetter(p[0]) && p[1] === ':' && slash(p[2])) return true;
  return slash(p[0]) && slash(p[1]) && p[2] !== undefined && !slash(p[2]); // a host name follows
}

/**
 * Absolute, so not relative to a working directory the person cannot see. On Windows, "/x" and
 * "\x" are relative to the current drive: not absolute. Elsewhere a Windows path still counts
 * (exists() has the last word). "~" is never expanded: a drop pastes absolute paths.
 */
function isAbsolute(p: string, platform: NodeJS.Platform): boolean {
  if (p.includes('\0')) return false;
  if (isWindowsAbsolute(p)) return true;
  return platform !== 'win32' && p.startsWith('/');
}

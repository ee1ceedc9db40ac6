// Dropped files arrive as pasted text in each terminal's own quoting: they are read back as the
// exact list of paths; a typed question, even one naming a path, is never taken for a drop.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pastedPaths, pathLike, unbracket } from '../../launcher/ui/paste.ts';

/** An exists() that accepts exactly these paths. */
const only = (...paths: string[]) => {
  const set = new Set(paths);
  return (p: string) => set.has(p);
};
const everything = () => true;

describe('unbracket', () => {
  it('strips the bracketed-paste markers and says they were there', () => {
    expect(unbracket('\x1b[200~/tmp/a b.txt\x1b[201~')).toEqual({ text: '/tmp/a b.txt', bracketed: true });
  });

  it('leaves typed text alone', () => {
    expect(unbracket('what is in /etc/hosts')).toEqual({ text: 'what is in /etc/hosts', bracketed: false });
    expect(unbracket('')).toEqual({ text: '', bracketed: false });
  });

  it('drops the markers of a paste that arrives in several bracketed pieces', () => {
    expect(unbracket('\x1b[200~/a \x1b[201~\x1b[200~/b\x1b[201~')).toEqual({ text: '/a /b', bracketed: true });
  });

  it('copes with markers whose ESC a key parser swallowed', () => {
    expect(unbracket('[200~/tmp/x[201~')).toEqual({ text: '/tmp/x', bracketed: true });
    expect(unbracket('a[201~')).toEqual({ text: 'a[201~', bracketed: false });
  });

  it('feeds pastedPaths', () => {
    const { text, bracketed } = unbracket("\x1b[200~'/home/ann/a b.txt' \x1b[201~");
    expect(bracketed).toBe(true);
    expect(pastedPaths(text, only('/home/ann/a b.txt'), 'linux')).toEqual(['/home/ann/a b.txt']);
  });
});

describe('pastedPaths: each terminal style', () => {
  it('macOS Terminal / iTerm2: backslash-escaped, separated by spaces', () => {
    const exists = only('/Users/ann/My File (1).pdf', '/Users/ann/b&c.txt');
    expect(pastedPaths('/Users/ann/My\\ File\\ \\(1\\).pdf /Users/ann/b\\&c.txt ', exists, 'darwin')).toEqual([
      '/Users/ann/My File (1).pdf',
      '/Users/ann/b&c.txt',
    ]);
  });

  it("GNOME Terminal / VTE: single-quoted with '\\'' for a quote, trailing space", () => {
    const exists = only('/home/ann/a b.txt', "/home/ann/it's.txt");
    expect(pastedPaths("'/home/ann/a b.txt' '/home/ann/it'\\''s.txt' ", exists, 'linux')).toEqual([
      '/home/ann/a b.txt',
      "/home/ann/it's.txt",
    ]);
  });

  it('one path per line, spaces and all (Konsole, file managers)', () => {
    const exists = only('/home/ann/a b.txt', '/home/ann/c.txt');
    expect(pastedPaths('/home/ann/a b.txt\n/home/ann/c.txt\n', exists, 'linux')).toEqual(['/home/ann/a b.txt', '/home/ann/c.txt']);
    expect(pastedPaths('/home/ann/a b.txt\r\n/home/ann/c.txt\r\n', exists, 'linux')).toEqual(['/home/ann/a b.txt', '/home/ann/c.txt']);
  });

  it('quoted paths, one per line', () => {
    const exists = only('/a b', '/c d');
    expect(pastedPaths("'/a b'\n'/c d'\n", exists, 'linux')).toEqual(['/a b', '/c d']);
  });

  it('double quotes, with the shell escapes inside them', () => {
    expect(pastedPaths('"/home/ann/a b.txt"', only('/home/ann/a b.txt'), 'linux')).toEqual(['/home/ann/a b.txt']);
    expect(pastedPaths('"/x/say \\"hi\\" \\\\ $HOME"', only('/x/say "hi" \\ $HOME'), 'linux')).toEqual(['/x/say "hi" \\ $HOME']);
  });

  it('mixed quoting in one paste', () => {
    const exists = only('/tmp/a b', '/tmp/c d', '/tmp/e f', '/tmp/g h', '/tmp/plain');
    expect(pastedPaths(`'/tmp/a b' "/tmp/c d" /tmp/e\\ f file:///tmp/g%20h /tmp/plain`, exists, 'linux')).toEqual([
      '/tmp/a b',
      '/tmp/c d',
      '/tmp/e f',
      '/tmp/g h',
      '/tmp/plain',
    ]);
    expect(pastedPaths(`/tmp/'a b'"/"x`, only('/tmp/a b/x'), 'linux')).toEqual(['/tmp/a b/x']);
  });

  it('several files', () => {
    const files = ['/a', '/b/c', '/d/e/f.txt', '/g h/i'];
    expect(pastedPaths("/a /b/c /d/e/f.txt '/g h/i'", only(...files), 'linux')).toEqual(files);
  });

  it('no-break and other Unicode spaces belong to the name', () => {
    expect(pastedPaths('/tmp/a\u00a0b /tmp/c\u3000d', only('/tmp/a\u00a0b', '/tmp/c\u3000d'), 'linux')).toEqual([
      '/tmp/a\u00a0b',
      '/tmp/c\u3000d',
    ]);
  });
});

describe('pastedPaths: file:// URIs', () => {
  it('percent-decodes %20 and UTF-8 escapes', () => {
    const exists = only('/home/ann/a b.txt', '/home/ann/ä.txt', '/home/ann/日本.txt');
    expect(
      pastedPaths(
        'file:///home/ann/a%20b.txt\r\nfile:///home/ann/%C3%A4.txt\r\nfile:///home/ann/%E6%97%A5%E6%9C%AC.txt\r\n',
        exists,
        'linux',
      ),
    ).toEqual(['/home/ann/a b.txt', '/home/ann/ä.txt', '/home/ann/日本.txt']);
  });

  it('file://localhost/, file:/ and an upper-case scheme', () => {
    expect(pastedPaths('file://localhost/etc/hosts\nFILE:///tmp/x\nfile:/tmp/y', only('/etc/hosts', '/tmp/x', '/tmp/y'), 'linux')).toEqual([
      '/etc/hosts',
      '/tmp/x',
      '/tmp/y',
    ]);
  });

  it("a URI with characters a file manager leaves unescaped (it's)", () => {
    expect(pastedPaths("file:///home/ann/it's%20(1).txt\n", only("/home/ann/it's (1).txt"), 'linux')).toEqual(["/home/ann/it's (1).txt"]);
  });

  it('only the file scheme, only this computer, only well-formed escapes', () => {
    expect(pastedPaths('https://example.com/a.txt', everything, 'linux')).toBeNull();
    expect(pastedPaths('file://server/share/a.txt', everything, 'linux')).toBeNull();
    expect(pastedPaths('file:///tmp/%ZZ', everything, 'linux')).toBeNull();
    expect(pastedPaths('file:///tmp/%C3', everything, 'linux')).toBeNull(); // not UTF-8
    expect(pastedPaths('file:///tmp/%00x', everything, 'linux')).toBeNull();
    expect(pastedPaths('file:relative.txt', everything, 'linux')).toBeNull();
  });
});

describe('pastedPaths: not a drop', () => {
  it('a sentence containing a path', () => {
    expect(pastedPaths('what is in /etc/hosts', everything, 'linux')).toBeNull();
    expect(pastedPaths('what is in /etc/hosts', only('/etc/hosts'), 'linux')).toBeNull();
    expect(pastedPaths('/etc/hosts what is this?', only('/etc/hosts'), 'linux')).toBeNull();
    expect(pastedPaths("what's in '/etc/hosts'", only('/etc/hosts'), 'linux')).toBeNull();
  });

  it('a path that does not exist, alone or among ones that do', () => {
    expect(pastedPaths('/nope/missing.txt', only('/etc/hosts'), 'linux')).toBeNull();
    expect(pastedPaths('/etc/hosts /nope/missing.txt', only('/etc/hosts'), 'linux')).toBeNull();
  });

  it('relative paths and ~', () => {
    expect(pastedPaths('a.txt', everything, 'linux')).toBeNull();
    expect(pastedPaths('./a.txt', everything, 'linux')).toBeNull();
    expect(pastedPaths('~/a.txt', everything, 'linux')).toBeNull();
    expect(pastedPaths("'~/a b.txt'", everything, 'linux')).toBeNull();
    expect(pastedPaths('/etc/hosts a.txt', only('/etc/hosts', 'a.txt'), 'linux')).toBeNull();
  });

  it('empty and blank text', () => {
    expect(pastedPaths('', everything, 'linux')).toBeNull();
    expect(pastedPaths(' \n\r\n\t', everything, 'linux')).toBeNull();
    expect(pastedPaths("''", everything, 'linux')).toBeNull();
  });

  it('an unbalanced quote is no path list', () => {
    expect(pastedPaths("'/tmp/a", only("'/tmp/a"), 'linux')).toBeNull();
  });

  it('an exists() that throws means "no"', () => {
    expect(
      pastedPaths(
        '/tmp/a',
        () => {
          throw new Error('EACCES');
        },
        'linux',
      ),
    ).toBeNull();
  });

  it('does not consult the file system for a question', () => {
    const asked: string[] = [];
    expect(
      pastedPaths(
        'please summarise /etc/hosts',
        (p) => {
          asked.push(p);
          return true;
        },
        'linux',
      ),
    ).toBeNull();
    expect(asked).toEqual([]);
  });
});

describe('pastedPaths: tidying', () => {
  it('ignores trailing whitespace and newlines', () => {
    expect(pastedPaths('/etc/hosts \n\n', only('/etc/hosts'), 'linux')).toEqual(['/etc/hosts']);
  });

  it('removes duplicates, keeping the first order', () => {
    expect(pastedPaths("/b /a '/b' file:///a /c", only('/a', '/b', '/c'), 'linux')).toEqual(['/b', '/a', '/c']);
  });
});

describe('pastedPaths: Windows', () => {
  it('Windows Terminal: double quotes around a path with spaces, backslashes literal', () => {
    const exists = only('C:\\Users\\Ann\\My Docs\\x.docx');
    expect(pastedPaths('"C:\\Users\\Ann\\My Docs\\x.docx"', exists, 'win32')).toEqual(['C:\\Users\\Ann\\My Docs\\x.docx']);
  });

  it('several, quoted and bare, with a UNC share and a folder ending in a backslash', () => {
    const files = ['C:\\a b\\x.txt', 'C:\\y.txt', '\\\\server\\share\\c d.txt', 'D:\\My Dir\\'];
    expect(pastedPaths('"C:\\a b\\x.txt" C:\\y.txt "\\\\server\\share\\c d.txt" "D:\\My Dir\\" ', only(...files), 'win32')).toEqual(files);
  });

  it('one per line, and forward slashes', () => {
    expect(pastedPaths('C:\\a b.txt\r\nc:/d/e.txt\r\n', only('C:\\a b.txt', 'c:/d/e.txt'), 'win32')).toEqual(['C:\\a b.txt', 'c:/d/e.txt']);
  });

  it('file URIs become drive and UNC paths', () => {
    const exists = only('C:\\Users\\Ann\\a b.txt', '\\\\server\\share\\ä.txt');
    expect(pastedPaths('file:///C:/Users/Ann/a%20b.txt\r\nfile://server/share/%C3%A4.txt', exists, 'win32')).toEqual([
      'C:\\Users\\Ann\\a b.txt',
      '\\\\server\\share\\ä.txt',
    ]);
  });

  it('drive-relative and relative paths, and questions, are not drops', () => {
    expect(pastedPaths('\\Windows\\win.ini', everything, 'win32')).toBeNull();
    expect(pastedPaths('/etc/hosts', everything, 'win32')).toBeNull();
    expect(pastedPaths('C:x.txt', everything, 'win32')).toBeNull();
    expect(pastedPaths('docs\\x.txt', everything, 'win32')).toBeNull();
    expect(pastedPaths('what is in C:\\Windows\\win.ini', everything, 'win32')).toBeNull();
    expect(pastedPaths('"C:\\a b.txt', everything, 'win32')).toBeNull();
  });

  it('elsewhere a Windows path counts only if it exists', () => {
    expect(pastedPaths('"C:\\a b\\x.txt" \\\\srv\\s\\y', only('C:\\a b\\x.txt', '\\\\srv\\s\\y'), 'linux')).toEqual([
      'C:\\a b\\x.txt',
      '\\\\srv\\s\\y',
    ]);
    expect(pastedPaths('C:\\x.txt', only('/x.txt'), 'linux')).toBeNull();
  });
});

describe('pastedPaths: the real file system', () => {
  it('finds dropped files with awkward names through fs.existsSync', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-way-paste-'));
    mkdirSync(path.join(dir, 'sub dir'));
    const a = path.join(dir, "it's a (test).txt");
    const b = path.join(dir, 'sub dir', 'Ä "b".md');
    writeFileSync(a, '');
    writeFileSync(b, '');
    const vte = `'${a.replaceAll("'", "'\\''")}' '${b.replaceAll("'", "'\\''")}' `;
    expect(pastedPaths(vte, existsSync, 'linux')).toEqual([a, b]);
    expect(pastedPaths(`${vte} ${path.join(dir, 'gone')}`, existsSync, 'linux')).toBeNull();
  });
});

// ---- round trip: any list of absolute POSIX paths, quoted the way each terminal does, reads back.

const SPECIALS = ' \'"\\$`()&;|<>*?[]{}#%!~=,:@+^'.split('');
const char = fc
  .oneof(
    { weight: 2, arbitrary: fc.constantFrom(...SPECIALS, 'ä', 'é', '日', '😀', '\u00a0', '\u3000', 'e\u0301') },
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  )
  .filter((c) => !/[\p{Cc}/]/u.test(c));
const segment = fc.string({ unit: char, minLength: 1, maxLength: 10 });
const absPath = fc.array(segment, { minLength: 1, maxLength: 4 }).map((segs) => `/${segs.join('/')}`);
const pathList = fc.uniqueArray(absPath, { minLength: 1, maxLength: 5 });

type Style = (p: string) => string;
/** macOS Terminal / iTerm2: a backslash before every ASCII character a shell would act on. */
const backslashed: Style = (p) => p.replace(/[^A-Za-z0-9/._\-\u0080-\u{10FFFF}]/gu, '\\$&');
/** VTE: single quotes, a quote written '\''. */
const singleQuoted: Style = (p) => `'${p.replaceAll("'", "'\\''")}'`;
/** Shell double quotes: \ " $ ` escaped. */
const doubleQuoted: Style = (p) => `"${p.replace(/[\\"$`]/g, '\\$&')}"`;
/** Windows Terminal's literal double quotes, possible where the name has no " (and no \ to misread). */
const literalQuoted: Style = (p) => (/["\\]/.test(p) ? doubleQuoted(p) : `"${p}"`);
/** file:// URI, every byte outside the unreserved characters (and /) percent-escaped. */
const fileUri: Style = (p) =>
  'file://' +
  [...new TextEncoder().encode(p)]
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9\-._~/]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');

const STYLES: [string, Style, string[]][] = [
  ['backslash-escaped (macOS Terminal, iTerm2)', backslashed, [' ']],
  ['single-quoted (VTE)', singleQuoted, [' ']],
  ['double-quoted (shell)', doubleQuoted, [' ', '\n']],
  ['double-quoted where possible (Windows Terminal)', literalQuoted, [' ']],
  ['file:// URIs', fileUri, ['\n', '\r\n']],
];

describe('pastedPaths: round trip', () => {
  for (const [name, style, separators] of STYLES) {
    it(`${name}: quoting then reading gives the same list`, () => {
      fc.assert(
        fc.property(
          pathList,
          fc.constantFrom(...separators),
          fc.constantFrom('', ' ', '\n', '\r\n'),
          fc.constantFrom<NodeJS.Platform>('linux', 'darwin'),
          (paths, sep, tail, platform) => {
            const text = paths.map(style).join(sep) + tail;
            expect(pastedPaths(text, only(...paths), platform)).toEqual(paths);
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it('mixed styles and separators in one paste', () => {
    const styled = fc.tuple(absPath, fc.constantFrom(...STYLES.map((s) => s[1])));
    fc.assert(
      fc.property(
        fc.uniqueArray(styled, { minLength: 1, maxLength: 6, selector: (t) => t[0] }),
        fc.constantFrom(' ', '\n', '\r\n', ' \n'),
        (items, sep) => {
          const paths = items.map(([p]) => p);
          expect(pastedPaths(items.map(([p, style]) => style(p)).join(sep), only(...paths), 'linux')).toEqual(paths);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a repeated path reads back once', () => {
    fc.assert(
      fc.property(pathList, (paths) => {
        const text = [...paths, ...paths].map(singleQuoted).join(' ');
        expect(pastedPaths(text, only(...paths), 'linux')).toEqual(paths);
      }),
    );
  });

  it('one missing path anywhere makes the whole paste a question', () => {
    fc.assert(
      fc.property(pathList, fc.nat(), (paths, k) => {
        const missing = paths[k % paths.length]!;
        const exists = only(...paths.filter((p) => p !== missing));
        expect(pastedPaths(paths.map(singleQuoted).join(' '), exists, 'linux')).toBeNull();
      }),
    );
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.constantFrom<NodeJS.Platform>('linux', 'darwin', 'win32'), (text, platform) => {
        const r = pastedPaths(text, everything, platform);
        expect(r === null || r.length > 0).toBe(true);
        unbracket(text);
      }),
      { numRuns: 500 },
    );
  });
});

describe('pathLike: a drop or a typed line of paths, whether or not they exist', () => {
  it("reads each terminal's quoting, without looking at the disk", () => {
    expect(pathLike('/tmp/ai-way-nowhere/x.txt', 'linux')).toEqual(['/tmp/ai-way-nowhere/x.txt']);
    expect(pathLike("'/tmp/no where/a b.txt' /tmp/c.txt ", 'linux')).toEqual(['/tmp/no where/a b.txt', '/tmp/c.txt']);
    expect(pathLike('/Users/ann/My\\ File.pdf', 'darwin')).toEqual(['/Users/ann/My File.pdf']);
    expect(pathLike('"C:\\Users\\Ann\\My Docs\\x.docx"', 'win32')).toEqual(['C:\\Users\\Ann\\My Docs\\x.docx']);
    expect(pathLike('file:///tmp/gone%20away.txt', 'linux')).toEqual(['/tmp/gone away.txt']);
    // One path a line (Konsole, a file manager's list): a line that starts as a path is one, spaces and all.
    expect(pathLike('/tmp/x.txt and more', 'linux')).toEqual(['/tmp/x.txt and more']);
  });

  it('a question, a relative path or a word is not paths: it stays a question', () => {
    for (const text of ['what is in /tmp/x.txt?', 'notes.txt', '~/notes.txt', 'quarterly numbers', 'file://server/share/x']) {
      expect(pathLike(text, 'linux')).toBeNull();
    }
  });
});

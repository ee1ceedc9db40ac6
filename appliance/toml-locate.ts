// Where a key is written in a TOML document, so that a schema error can name file:line:column.
// TOML parsers return plain values without positions; this scanner reads just enough TOML (headers,
// dotted and quoted keys, inline tables, arrays, strings, comments) to map key paths to offsets.
// It is meant for documents that already parsed, but it is total: any text gives an answer.

export interface TomlPosition {
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in UTF-16 code units like smol-toml's TomlError. */
  column: number;
}

/** A path into the parsed document: table keys, and indices into arrays. */
export type TomlPath = readonly (string | number)[];

/**
 * A lookup for one document: where `path` is first defined (its key, table header or array
 * element), else where its nearest defined ancestor is (so a missing key points at its table's
 * header); line 1, column 1 when nothing of it is written. Building it and each lookup take time
 * in proportion to the text and the path: a 64 KiB key of 30,000 dotted parts is one pass.
 */
export function keyLocator(text: string): (path: TomlPath) => TomlPosition {
  const root = new Scanner(text).run();
  const position = positionsIn(text);
  return (path) => {
    let node: KeyNode | undefined = root;
    let at: number | undefined;
    for (const k of path) {
      node = node.find(k);
      if (!node) break;
      at = node.at ?? at;
    }
    return at === undefined ? { line: 1, column: 1 } : position(at);
  };
}

export function locate(text: string, path: TomlPath): TomlPosition {
  return keyLocator(text)(path);
}

/** The 1-based line and column of a string offset, from the line starts found once. */
function positionsIn(text: string): (offset: number) => TomlPosition {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    const at = Math.min(Math.max(0, offset), text.length);
    let [lo, hi] = [0, starts.length - 1];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - starts[lo]! + 1 };
  };
}

/** One key path of the document, as a tree: a child per key or array index, so no path is ever copied. */
class KeyNode {
  /** Where the path is first written. */
  at: number | undefined;
  /** How many [[array]] tables this path has had so far, to resolve later headers into the last. */
  arrayTables = 0;
  private readonly children = new Map<string | number, KeyNode>();

  child(k: string | number): KeyNode {
    let c = this.children.get(k);
    if (!c) {
      c = new KeyNode();
      this.children.set(k, c);
    }
    return c;
  }

  find(k: string | number): KeyNode | undefined {
    return this.children.get(k);
  }

  record(at: number): KeyNode {
    this.at ??= at;
    return this;
  }
}

interface KeyPart {
  name: string;
  at: number;
}

class Scanner {
  private i = 0;
  private readonly root = new KeyNode();

  constructor(private readonly s: string) {}

  run(): KeyNode {
    const { s } = this;
    let table = this.root;
    while (this.i < s.length) {
      this.skipBlank();
      if (this.i >= s.length) break;
      const start = this.i;
      if (s[start] === '[') table = this.header(start);
      else this.keyValue(table);
      // One statement per line: whatever follows (a comment, or junk in a broken document) is skipped.
      while (this.i < s.length && s[this.i] !== '\n') this.i++;
      if (this.i === start) this.i++;
    }
    return this.root;
  }

  private header(start: number): KeyNode {
    const isArray = this.s[start + 1] === '[';
    this.i = start + (isArray ? 2 : 1);
    const parts = this.key();
    let node = this.root;
    parts.forEach((p, n) => {
      node = node.child(p.name);
      if (isArray && n === parts.length - 1) {
        node.record(start);
        node = node.child(node.arrayTables++);
      } else if (node.arrayTables > 0) node = node.child(node.arrayTables - 1);
      node.record(start);
    });
    return node;
  }

  private keyValue(table: KeyNode): void {
    const node = this.keys(table);
    if (!node) return;
    this.skipSpace();
    if (this.s[this.i] !== '=') return;
    this.i++;
    this.skipSpace();
    this.value(node);
  }

  /** Reads `a.b.c` below `base`, records each level at its own segment, and returns the last. */
  private keys(base: KeyNode): KeyNode | null {
    const parts = this.key();
    if (parts.length === 0) return null;
    let node = base;
    for (const p of parts) node = node.child(p.name).record(p.at);
    return node;
  }

  private value(node: KeyNode): void {
    const { s } = this;
    const c = s[this.i];
    if (c === '"' || c === "'") {
      this.i = this.stringEnd(this.i);
      return;
    }
    if (c === '{') {
      this.inlineTable(node);
      return;
    }
    if (c === '[') {
      this.array(node);
      return;
    }
    // Numbers, booleans, dates (which may hold a space): up to the next delimiter.
    while (this.i < s.length && !',]}#\r\n'.includes(s[this.i]!)) this.i++;
  }

  private inlineTable(node: KeyNode): void {
    const { s } = this;
    this.i++;
    while (this.i < s.length) {
      this.skipBlank();
      if (s[this.i] === '}') {
        this.i++;
        return;
      }
      const before = this.i;
      const inner = this.keys(node);
      this.skipSpace();
      if (inner && s[this.i] === '=') {
        this.i++;
        this.skipSpace();
        this.value(inner);
      }
      this.skipBlank();
      if (s[this.i] === ',') this.i++;
      else if (s[this.i] === '}') {
        this.i++;
        return;
      } else if (this.i === before) return;
    }
  }

  private array(node: KeyNode): void {
    const { s } = this;
    this.i++;
    for (let n = 0; this.i < s.length; n++) {
      this.skipBlank();
      if (s[this.i] === ']') {
        this.i++;
        return;
      }
      const before = this.i;
      this.value(node.child(n).record(this.i));
      this.skipBlank();
      if (s[this.i] === ',') this.i++;
      else if (s[this.i] === ']') {
        this.i++;
        return;
      } else if (this.i === before) return;
    }
  }

  /** A possibly dotted key; each part with its decoded name and its offset. */
  private key(): KeyPart[] {
    const { s } = this;
    const parts: KeyPart[] = [];
    for (;;) {
      this.skipSpace();
      const at = this.i;
      const c = s[at];
      let name: string;
      if (c === '"' || c === "'") {
        const end = this.stringEnd(at);
        const body = s.slice(at + 1, Math.max(at + 1, s[end - 1] === c ? end - 1 : end));
        name = c === '"' ? unescapeBasic(body) : body;
        this.i = end;
      } else {
        while (this.i < s.length && !' \t\r\n.=[]{},#"\''.includes(s[this.i]!)) this.i++;
        if (this.i === at) return parts;
        name = s.slice(at, this.i);
      }
      parts.push({ name, at });
      this.skipSpace();
      if (s[this.i] !== '.') return parts;
      this.i++;
    }
  }

  /** The offset just past the string that opens at `start`. */
  private stringEnd(start: number): number {
    const { s } = this;
    const q = s[start]!;
    const basic = q === '"';
    if (s.startsWith(q.repeat(3), start)) {
      let j = start + 3;
      while (j < s.length) {
        if (basic && s[j] === '\\') {
          j += 2;
          continue;
        }
        if (s.startsWith(q.repeat(3), j)) {
          j += 3;
          // Up to two more quotes belong to the content: """a""""" ends after the last one.
          for (let extra = 0; extra < 2 && s[j] === q; extra++) j++;
          return j;
        }
        j++;
      }
      return s.length;
    }
    let j = start + 1;
    while (j < s.length && s[j] !== q && s[j] !== '\n') j += basic && s[j] === '\\' ? 2 : 1;
    return s[j] === q ? j + 1 : Math.min(j, s.length);
  }

  private skipSpace(): void {
    while (this.s[this.i] === ' ' || this.s[this.i] === '\t') this.i++;
  }

  /** Spaces, newlines and comments. */
  private skipBlank(): void {
    const { s } = this;
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') this.i++;
      else if (c === '#') while (this.i < s.length && s[this.i] !== '\n') this.i++;
      else return;
    }
  }
}

const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };

/** The value of a basic string's body (TOML 1.0 escapes, and 1.1's \e and \xHH). */
function unescapeBasic(body: string): string {
  return body.replace(
    /\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))/gs,
    (all, x?: string, u?: string, U?: string, c?: string) => {
      const hex = x ?? u ?? U;
      if (hex !== undefined) {
        const code = Number.parseInt(hex, 16);
        return code <= 0x10ffff ? String.fromCodePoint(code) : all;
      }
      return Object.hasOwn(ESCAPES, c!) ? ESCAPES[c!]! : all;
    },
  );
}

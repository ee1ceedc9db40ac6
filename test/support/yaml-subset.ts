// Reads the block-style YAML that CDI tools write (mappings, sequences, plain and quoted scalars),
// so tests can read recorded specs and check that ai-way's YAML reads back as what it wrote.
type Value = unknown;
interface Line {
  indent: number;
  text: string;
}

function scalar(s: string): Value {
  if (s === '[]') return [];
  if (s === '{}') return {};
  if (s.startsWith('"')) return JSON.parse(s);
  if (s.startsWith("'")) return s.slice(1, -1).replace(/''/g, "'");
  if (/^-?\d+$/.test(s)) return Number(s);
  if (s === 'true' || s === 'false') return s === 'true';
  return s;
}

const keyValue = (text: string): [string, string] | null => {
  const m = /^("(?:[^"\\]|\\.)*"|[^\s"'#][^:]*?):(?:\s+(.*))?$/.exec(text);
  return m ? [String(scalar(m[1]!)), m[2] ?? ''] : null;
};

function block(lines: Line[], at: { i: number }, indent: number): Value {
  const first = lines[at.i]!;
  if (first.text === '-' || first.text.startsWith('- ')) {
    const list: Value[] = [];
    while (at.i < lines.length && lines[at.i]!.indent === indent && (lines[at.i]!.text === '-' || lines[at.i]!.text.startsWith('- '))) {
      const rest = lines[at.i]!.text.slice(1).trimStart();
      if (!rest) {
        at.i++;
        list.push(block(lines, at, lines[at.i]!.indent));
        continue;
      }
      if (keyValue(rest) && !rest.startsWith('"')) {
        lines[at.i] = { indent: indent + 2, text: rest };
        list.push(block(lines, at, indent + 2));
        continue;
      }
      list.push(scalar(rest));
      at.i++;
    }
    return list;
  }
  const map: Record<string, Value> = {};
  while (at.i < lines.length && lines[at.i]!.indent === indent && !lines[at.i]!.text.startsWith('- ')) {
    const kv = keyValue(lines[at.i]!.text);
    if (!kv) throw new Error(`not YAML this reader knows: ${lines[at.i]!.text}`);
    at.i++;
    const next = lines[at.i];
    if (kv[1] !== '') map[kv[0]] = scalar(kv[1]);
    else if (next && (next.indent > indent || (next.indent === indent && next.text.startsWith('- '))))
      map[kv[0]] = block(lines, at, next.indent);
    else map[kv[0]] = null;
  }
  return map;
}

export function parseYamlSubset(text: string): Value {
  const lines = text
    .split('\n')
    .filter((l) => l.trim() && l.trim() !== '---' && !l.trim().startsWith('#'))
    .map((l) => ({ indent: l.length - l.trimStart().length, text: l.trim() }));
  return lines.length ? block(lines, { i: 0 }, lines[0]!.indent) : null;
}

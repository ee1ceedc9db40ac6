// YAML for plain data (objects, lists, strings, numbers, booleans), in the block style CDI tools
// write. A string is left bare only where YAML cannot read it as anything else.
export type YamlData = Data;
type Data = string | number | boolean | null | readonly Data[] | { readonly [k: string]: Data | undefined };

const PLAIN = /^[A-Za-z0-9/_.][A-Za-z0-9/_.=+,@-]*(:[A-Za-z0-9/_.=+,@-]+)*:?$/;
const LOOKS_TYPED = /^(true|false|yes|no|on|off|y|n|null|~)$|^[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?$|^0[xo]/i;

const scalar = (v: string | number | boolean | null): string =>
  typeof v !== 'string' ? String(v) : PLAIN.test(v) && !LOOKS_TYPED.test(v) && !v.endsWith(':') ? v : JSON.stringify(v);

const isList = (v: Data): v is readonly Data[] => Array.isArray(v);
const isMap = (v: Data): v is { readonly [k: string]: Data | undefined } => typeof v === 'object' && v !== null && !Array.isArray(v);

const filled = (v: Data) => (isList(v) ? v.length : isMap(v) ? Object.keys(v).length : 0) > 0;

function block(v: Data, indent: string): string[] {
  if (isList(v)) {
    if (v.length === 0) return [`${indent}[]`];
    // An item is written one level in, then its first line moves up beside the dash.
    return v.flatMap((item) => {
      const [first, ...rest] = block(item, `${indent}  `);
      return [`${indent}- ${first!.slice(indent.length + 2)}`, ...rest];
    });
  }
  if (isMap(v)) {
    const entries = Object.entries(v).filter((e): e is [string, Data] => e[1] !== undefined);
    if (entries.length === 0) return [`${indent}{}`];
    return entries.flatMap(([k, val]) =>
      filled(val)
        ? // Lists under a key sit at the key's indentation, as CDI tools write them.
          [`${indent}${scalar(k)}:`, ...block(val, isList(val) ? indent : `${indent}  `)]
        : [`${indent}${scalar(k)}: ${block(val, '')[0]}`],
    );
  }
  return [`${indent}${scalar(v)}`];
}

export function toYaml(v: Data): string {
  return `---\n${block(v, '').join('\n')}\n`;
}

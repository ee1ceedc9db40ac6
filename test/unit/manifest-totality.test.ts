// No input whatsoever makes the manifest loader throw anything but a well-formed ManifestError.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse as parseToml, stringify } from 'smol-toml';
import { ManifestError, parseManifest, parseManifestBytes, type Manifest } from '../../appliance/manifest.ts';
import { FILE, SHIPPED } from '../support/manifests.ts';

/** A Manifest, or a ManifestError that is well formed; anything else fails the property. */
function checkOutcome(text: string, run: () => Manifest): 'ok' | 'error' {
  let e: unknown;
  try {
    const m = run();
    expect(m.images).toBeTypeOf('object');
    return 'ok';
  } catch (caught) {
    e = caught;
  }
  if (!(e instanceof ManifestError)) throw e;
  const lines = text.split('\n');
  expect(Number.isInteger(e.line) && e.line >= 1 && e.line <= lines.length).toBe(true);
  expect(Number.isInteger(e.column) && e.column >= 1 && e.column <= lines[e.line - 1]!.length + 1).toBe(true);
  expect(e.message).toBe(`${FILE}:${e.line}:${e.column}: ${e.problem}`);
  expect(e.oneLine()).toBe(`${e.message}; ${e.fix}`);
  expect(e.oneLine()).not.toMatch(/[\u0000-\u001f\u007f\u2028\u2029]/);
  expect(e.oneLine()).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
  expect(e.problem.length > 0 && e.fix.length > 0).toBe(true);
  return 'error';
}

const TOKENS = [
  '\n',
  ' ',
  '=',
  '.',
  ',',
  '[',
  ']',
  '[[',
  ']]',
  '{',
  '}',
  '"',
  "'",
  '"""',
  "'''",
  '#',
  '\\',
  '\r\n',
  '\t',
  '\u0000',
  'name',
  'version',
  'images',
  'alpine',
  'fedora',
  'x86_64',
  'app',
  'command',
  'port',
  'workspace',
  'size',
  'exec',
  'resources',
  'memory',
  'cpus',
  'pids',
  'gpu',
  'wish',
  'health',
  'path',
  'timeout',
  'interval',
  'smoke',
  'method',
  'body',
  'expect_status',
  'expect_body',
  '__proto__',
  'constructor',
  '"64MiB"',
  '"10s"',
  '"/x"',
  '8080',
  '-1',
  '1.5',
  'nan',
  'inf',
  'true',
  '1979-05-27',
  '07:32:00',
  '0x10',
  '"oci-archive:a"',
  '"localhost/a:1"',
  '["/bin/a"]',
  '[app]',
  '[images.alpine]',
  'é',
  '\u2028',
];
const tomlish = fc.array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 4 })), { maxLength: 60 }).map((t) => t.join(''));

/** Valid TOML: a shipped manifest with keys set to random values, at every level. Exercises the schema and the locator. */
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 8 }),
    fc.constantFrom('64MiB', '10s', '/health', 'POST', 'auto', 'localhost/a:1', 'oci-archive:x', '0.1.0', 'abc'),
    fc.integer({ min: -10, max: 70000 }),
    fc.double(),
    fc.boolean(),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), tie('v'), { maxKeys: 3 }),
  ),
})).v;
const KEYS = TOKENS.filter((t) => /^[a-z_0-9]+$/.test(t));
const validToml = fc
  .tuple(
    fc.constantFrom(...SHIPPED),
    fc.array(
      fc.tuple(
        fc.constantFrom('', 'images', 'images.alpine', 'app', 'workspace', 'resources', 'gpu', 'health', 'smoke'),
        fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 5 })),
        fc.option(value, { nil: undefined }),
      ),
      { maxLength: 3 },
    ),
  )
  .map(([base, edits]) => {
    const doc: Record<string, unknown> = parseToml(base);
    for (const [table, key, v] of edits) {
      let t = doc;
      for (const k of table ? table.split('.') : []) {
        if (typeof t[k] !== 'object' || t[k] === null) t[k] = {};
        t = t[k] as Record<string, unknown>;
      }
      if (v === undefined) delete t[key];
      else Object.defineProperty(t, key, { value: v, enumerable: true, writable: true, configurable: true });
    }
    try {
      return stringify(doc);
    } catch {
      return base;
    }
  });

const mutated = fc
  .tuple(
    fc.constantFrom(...SHIPPED),
    fc.nat(),
    fc.constantFrom('replace', 'delete', 'insert', 'truncate', 'drop-line'),
    fc.oneof(fc.constantFrom(...'[]{}="\'.,#\n\\ 0-_xé\u0000\uFEFF'.split('')), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
  )
  .map(([text, n, how, c]) => {
    const i = n % (text.length + 1);
    switch (how) {
      case 'replace':
        return text.slice(0, i) + c + text.slice(i + 1);
      case 'delete':
        return text.slice(0, i) + text.slice(i + 1);
      case 'insert':
        return text.slice(0, i) + c + text.slice(i);
      case 'truncate':
        return text.slice(0, i);
      default: {
        const lines = text.split('\n');
        lines.splice(n % lines.length, 1);
        return lines.join('\n');
      }
    }
  });

/** The property over texts; both outcomes must turn up, or the generator reaches too little. */
function checkBothOutcomes(texts: fc.Arbitrary<string>, numRuns: number) {
  const seen = new Set<string>();
  fc.assert(
    fc.property(texts, (text) => {
      seen.add(checkOutcome(text, () => parseManifest(text, FILE)));
    }),
    { numRuns },
  );
  expect(seen).toEqual(new Set(['ok', 'error']));
}

describe('every input gives a Manifest or a ManifestError', () => {
  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        checkOutcome(new TextDecoder().decode(bytes), () => parseManifestBytes(bytes, FILE));
      }),
      { numRuns: 500 },
    );
  });

  it('random TOML-ish text', () => {
    fc.assert(
      fc.property(fc.oneof(tomlish, fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
        checkOutcome(text, () => parseManifest(text, FILE));
      }),
      { numRuns: 1000 },
    );
  });

  it('valid TOML with wrong values', () => {
    checkBothOutcomes(validToml, 500);
  });

  it('one-character mutations and truncations of the shipped manifests', () => {
    checkBothOutcomes(mutated, 1500);
  });

  it('every truncation of both shipped manifests', () => {
    for (const text of SHIPPED)
      for (let i = 0; i <= text.length; i++) checkOutcome(text.slice(0, i), () => parseManifest(text.slice(0, i), FILE));
  });
});

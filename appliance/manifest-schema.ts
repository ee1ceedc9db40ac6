// The manifest's schema: each key's type and range, checked and converted in one pass by zod. A
// value out of bounds becomes an issue at its key, which manifest-help.ts turns into a message.
// zod's small build: the full one costs start-up time every command pays.
import * as z from 'zod/mini';
import { show } from './manifest-error.ts';
import { DURATION_SYNTAX, parseDuration } from './duration.ts';

export type ImageSource = { kind: 'oci-archive'; path: string } | { kind: 'registry'; ref: string };
export type GpuWish = 'auto' | 'required' | 'none';

export const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const TiB = 1024 ** 4;

// Binary units however they are spelt: nobody means 10^9 bytes of guest memory.
const SIZE_UNITS = new Map<string, number>([
  ['b', 1],
  ['k', KiB],
  ['kb', KiB],
  ['kib', KiB],
  ['m', MiB],
  ['mb', MiB],
  ['mib', MiB],
  ['g', GiB],
  ['gb', GiB],
  ['gib', GiB],
  ['t', TiB],
  ['tb', TiB],
  ['tib', TiB],
]);

/** Bytes of "64MiB", "1 GiB", "512K"; null for anything else (no fractions, no sign, no bare number). */
export function parseSize(text: string): number | null {
  const m = /^(\d{1,16}) ?([A-Za-z]{1,3})$/.exec(text);
  const unit = m ? SIZE_UNITS.get(m[2]!.toLowerCase()) : undefined;
  if (!m || unit === undefined) return null;
  const bytes = Number(m[1]) * unit;
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** A leaf's problem (it follows "'key' in [table] ") and how to fix it (an example line follows). */
export class Bad {
  constructor(
    readonly problem: string,
    readonly fix?: string,
  ) {}
}

/** A value of `base`'s type, then checked and converted; a Bad becomes an issue at this key. */
function leaf<T extends z.ZodMiniType, O>(base: T, convert: (v: z.output<T>) => O | Bad) {
  return z.pipe(
    base,
    z.transform((v: z.output<T>, ctx) => {
      const out = convert(v);
      if (!(out instanceof Bad)) return out as O;
      ctx.issues.push({ code: 'custom', message: out.problem, input: v, params: { fix: out.fix } });
      return z.NEVER;
    }),
  );
}

const NAME = /^[a-z][a-z0-9-]{0,39}$/;
const VERSION = /^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/;
// What the HTTP request line can carry: no spaces, no control characters.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
export const URL_PATH = /^\/[^\s\x00-\x1f\x7f]*$/;

/** A name in the person's model store: `ai-way models add FILE --name NAME`. */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const pattern = (re: RegExp, what: string) => leaf(z.string(), (s) => (re.test(s) ? s : new Bad(`is ${show(s)}, not ${what}`)));

const size = (min: number, max: number, range: [string, string]) =>
  leaf(z.string(), (s) => {
    const n = parseSize(s);
    if (n === null)
      return new Bad(
        `is ${show(s)}, not a size`,
        `write a whole number and a unit (B, KiB, MiB, GiB, TiB), from ${range[0]} to ${range[1]}`,
      );
    if (n < min) return new Bad(`is ${show(s)}, less than ${range[0]}`);
    return n > max ? new Bad(`is ${show(s)}, more than ${range[1]}`) : n;
  });

const duration = (min: number, max: number, range: [string, string]) =>
  leaf(z.string(), (s) => {
    const ms = parseDuration(s);
    if (ms === null) return new Bad(`is ${show(s)}, not a duration`, `write ${DURATION_SYNTAX}, from ${range[0]} to ${range[1]}`);
    if (ms < min) return new Bad(`is ${show(s)}, shorter than ${range[0]}`);
    return ms > max ? new Bad(`is ${show(s)}, longer than ${range[1]}`) : ms;
  });

const integer = (min: number, max: number, what: string) =>
  leaf(z.number(), (n) => (Number.isInteger(n) && n >= min && n <= max ? n : new Bad(`is ${n}, not ${what} from ${min} to ${max}`)));

// Docker's reference grammar, with the registry and a tag or digest required: an air-gapped
// appliance must never depend on short-name resolution or a moving "latest".
const DOMAIN_PART = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const PATH_PART = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REFERENCE = new RegExp(
  `^(${DOMAIN_PART}(?:\\.${DOMAIN_PART})*(?::\\d+)?)/${PATH_PART}(?:/${PATH_PART})*` +
    '(:[\\w][\\w.-]{0,127})?(@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$',
);
export const ARCHIVE = 'oci-archive:';

/** The archive path stays relative here: toManifest resolves it against the manifest's folder. */
function imageSource(s: string): ImageSource | Bad {
  if (s.startsWith(ARCHIVE)) {
    const p = s.slice(ARCHIVE.length);
    return p === '' || p.includes('\0') ? new Bad(`is ${show(s)}, with no path after ${ARCHIVE}`) : { kind: 'oci-archive', path: p };
  }
  const m = REFERENCE.exec(s);
  if (!m) {
    return /^[\w.-]+(:[\w.-]+)?$/.test(s) && !s.includes('/')
      ? new Bad(`is ${show(s)}, which does not name its registry`, 'write the full name with its registry')
      : new Bad(`is ${show(s)}, neither "${ARCHIVE}<path>" nor an image reference`);
  }
  const domain = m[1]!;
  if (!domain.includes('.') && !domain.includes(':') && domain !== 'localhost') {
    return new Bad(`is ${show(s)}, which does not name its registry`, 'write the full name with its registry');
  }
  if (!m[2] && !m[3]) return new Bad(`is ${show(s)}, with no tag or digest`, 'pin the image with a :tag or an @sha256: digest');
  return { kind: 'registry', ref: s };
}

const image = z.optional(leaf(z.string(), imageSource));
const flavorImages = z.optional(z.strictObject({ x86_64: image, aarch64: image }));

const urlPath = pattern(URL_PATH, 'a URL path that starts with "/" and has no spaces');
// Stays relative here, as archive paths do: toManifest resolves it against the manifest's folder.
const relativeFile = leaf(z.string(), (s) => (s === '' || s.includes('\0') ? new Bad(s ? 'holds a NUL character' : 'is empty') : s));

export const SCHEMA = z.strictObject({
  name: pattern(NAME, 'a name of up to 40 lowercase letters, digits and dashes that starts with a letter'),
  version: pattern(VERSION, 'a version like 1.2.3'),
  description: z._default(z.string(), ''),
  images: z.strictObject({ fedora: flavorImages, alpine: flavorImages }),
  app: z.strictObject({
    command: z.array(leaf(z.string(), (s) => (s === '' || s.includes('\0') ? new Bad(s ? 'holds a NUL character' : 'is empty') : s))),
    port: integer(1, 65535, 'a port'),
    ask: z.optional(urlPath),
    status: z.optional(urlPath),
    documents: z.optional(urlPath),
  }),
  workspace: z.strictObject({
    size: size(MiB, 64 * GiB, ['1MiB', '64GiB']),
    exec: z._default(z.boolean(), false),
  }),
  resources: z.strictObject({
    memory: size(16 * MiB, TiB, ['16MiB', '1TiB']),
    cpus: leaf(z.number(), (n) => (n > 0 && n <= 1024 ? n : new Bad(`is ${n}, not above 0 and at most 1024`))),
    pids: integer(8, 65536, 'a number of processes'),
  }),
  gpu: z._default(z.strictObject({ wish: z._default(z.enum(['auto', 'required', 'none']), 'auto') }), { wish: 'auto' }),
  isolation: z._default(z.strictObject({ mode: z._default(z.enum(['any', 'vm']), 'any') }), { mode: 'any' }),
  model: z.optional(z.strictObject({ default: z.optional(pattern(MODEL_NAME, 'a model name of letters, digits, ".", "_" and "-"')) })),
  health: z.strictObject({
    path: urlPath,
    timeout: duration(1000, 600_000, ['1s', '10m']),
    interval: z._default(duration(10, 10_000, ['10ms', '10s']), 200),
  }),
  smoke: z.optional(
    z.strictObject({
      method: z.enum(['GET', 'POST']),
      path: urlPath,
      body: z._default(z.string(), ''),
      expect_status: z._default(integer(100, 599, 'an HTTP status'), 200),
      expect_body: z.optional(z.string()),
      document: z.optional(relativeFile),
      expect_source: z.optional(leaf(z.string(), (s) => (s === '' ? new Bad('is empty') : s))),
    }),
  ),
});

export type Parsed = z.output<typeof SCHEMA>;

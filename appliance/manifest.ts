// The appliance manifest (images/<name>/appliance.toml): what to boot, how big, and how to tell it
// works. Parsing is pure and total: any text gives a Manifest or a ManifestError that names
// file:line:column and what to do, on one line.
import path from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
// zod's small build: the full one costs start-up time every command pays.
import * as z from 'zod/mini';
import type { ImageArch, ImageFlavor } from './image-policy.ts';
import { keyLocator, type TomlPath } from './toml-locate.ts';
import { closest } from './closest.ts';
import { DURATION_SYNTAX, parseDuration } from './duration.ts';
import { Failure } from './failures.ts';

export type ImageSource = { kind: 'oci-archive'; path: string } | { kind: 'registry'; ref: string };
export type GpuWish = 'auto' | 'required' | 'none';

export interface Manifest {
  /** Absolute path of the manifest. */
  file: string;
  name: string;
  version: string;
  description: string;
  /** At least one flavor, each with at least one architecture; archive paths are absolute. */
  images: Partial<Record<ImageFlavor, Partial<Record<ImageArch, ImageSource>>>>;
  /** ask: where questions go (POST, the question as the body); null when the app takes none. */
  app: { command: string[]; port: number; ask: string | null };
  workspace: { sizeBytes: number; exec: boolean };
  resources: { memBytes: number; cpus: number; pids: number };
  gpu: { wish: GpuWish };
  health: { path: string; timeoutMs: number; intervalMs: number };
  /** null: no smoke check. */
  smoke: { method: 'GET' | 'POST'; path: string; body: string; expectStatus: number; expectBody: string | null } | null;
}

export class ManifestError extends Failure {
  override name = 'ManifestError';
  /** What is wrong, without its position; `fix` says what to do. */
  readonly problem: string;

  constructor(readonly file: string, readonly line: number, readonly column: number, problem: string, fix: string) {
    super('manifest', `${oneLine(file)}:${line}:${column}: ${oneLine(problem)}`, { fix: oneLine(fix) });
    this.problem = oneLine(problem);
  }
}

/** A manifest is a few hundred bytes; a bigger file is the wrong file. */
export const MAX_MANIFEST_BYTES = 64 * 1024;

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const TiB = 1024 ** 4;

// Binary units however they are spelt: nobody means 10^9 bytes of guest memory.
const SIZE_UNITS = new Map<string, number>([
  ['b', 1], ['k', KiB], ['kb', KiB], ['kib', KiB], ['m', MiB], ['mb', MiB], ['mib', MiB],
  ['g', GiB], ['gb', GiB], ['gib', GiB], ['t', TiB], ['tb', TiB], ['tib', TiB],
]);

/** Bytes of "64MiB", "1 GiB", "512K"; null for anything else (no fractions, no sign, no bare number). */
export function parseSize(text: string): number | null {
  const m = /^(\d{1,16}) ?([A-Za-z]{1,3})$/.exec(text);
  const unit = m ? SIZE_UNITS.get(m[2]!.toLowerCase()) : undefined;
  if (!m || unit === undefined) return null;
  const bytes = Number(m[1]) * unit;
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** The manifest in `text`; `file` names it in errors, and its folder anchors relative archive paths. */
export function parseManifest(text: string, file: string): Manifest {
  if (LONE_SURROGATE.test(text)) throw notUtf8(file);
  if (Buffer.byteLength(text, 'utf8') > MAX_MANIFEST_BYTES) throw tooBig(file);
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') {
    throw new ManifestError(file, 1, 1, 'the file is empty', 'write the appliance\'s name, version, [images], [app], [workspace], [resources] and [health]');
  }
  let doc: unknown;
  try {
    doc = parseToml(body);
  } catch (e) {
    throw syntaxError(e, file, body);
  }
  const parsed = z.safeParse(SCHEMA, doc);
  const problems = parsed.success ? crossCheck(parsed.data) : parsed.error.issues.flatMap((i) => explain(i, doc));
  if (parsed.success && problems.length === 0) return toManifest(parsed.data, path.resolve(file));
  throw firstProblem(problems, body, file);
}

/** The manifest in a file's bytes: size and UTF-8 are checked before anything is parsed. */
export function parseManifestBytes(bytes: Uint8Array, file: string): Manifest {
  if (bytes.length > MAX_MANIFEST_BYTES) throw tooBig(file);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw notUtf8(file);
  }
  return parseManifest(text, file);
}

/**
 * Reads `file` through `read` and parses it; relative image paths resolve against its folder.
 * `read` returns at most `maxBytes`, and refuses with code 'EFBIG' past them or 'ENOTREG' (and a
 * `what`, "a named pipe (FIFO), not a regular file") for what is not a regular file.
 */
export async function loadManifest(file: string, read: (file: string, maxBytes: number) => Promise<Uint8Array>): Promise<Manifest> {
  let bytes: Uint8Array;
  try {
    bytes = await read(file, MAX_MANIFEST_BYTES);
  } catch (e) {
    if (e instanceof Failure) throw e; // the reader said it already
    if ((e as NodeJS.ErrnoException | null)?.code === 'EFBIG') throw tooBig(file);
    const [problem, fix] = ioProblem(e);
    throw new ManifestError(file, 1, 1, problem, fix);
  }
  return parseManifestBytes(bytes, file);
}

function ioProblem(e: unknown): [string, string] {
  const { code, what } = (e ?? {}) as { code?: string; what?: string };
  if (code === 'ENOENT') return ['no such file', 'check the path of the appliance.toml'];
  if (code === 'EISDIR' || what?.startsWith('a folder')) return ['this is a folder, not a file', 'name the appliance.toml inside it'];
  if (code === 'ENOTREG') return [`this is ${what ?? 'not a regular file'}`, 'name the appliance.toml file itself'];
  if (code === 'EACCES' || code === 'EPERM') return ['permission to read the file is denied', 'make the file readable by this user'];
  const why = code ?? (e instanceof Error ? e.message.split('\n')[0] : String(e));
  return [`the file cannot be read (${why})`, 'check the path of the appliance.toml'];
}

// ---- Errors before the schema ----

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const notUtf8 = (file: string) => new ManifestError(file, 1, 1, 'the file is not UTF-8 text', 'save it as UTF-8');
const tooBig = (file: string) => new ManifestError(file, 1, 1,
  `the file is larger than the ${MAX_MANIFEST_BYTES / KiB} KiB a manifest may have`, 'check that this is the appliance.toml');

// smol-toml's messages say what is wrong; these say what to do. First match wins.
const SYNTAX_FIXES: [RegExp, string][] = [
  [/unfinished string/, 'close the string with the quote that opens it'],
  [/invalid value/, 'write text in quotes ("..."), or a number, true, false, an [array] or a {table}'],
  [/redefine/, 'each key and [table] may appear only once: remove or merge the duplicate'],
  [/end-of-line/, 'put each key = value on a line of its own'],
  [/key/, 'write key = value; a key is letters, digits, _ and - (or quoted), and a [table] header is closed by ]'],
  [/array|comma|structure|table/, 'separate items with commas and close [arrays] with ] and {tables} with }'],
  [/control character/, 'remove the control character, or write it as an escape like \\t inside "..."'],
  [/escape/, 'use an escape TOML knows (\\n, \\t, \\", \\\\, \\uXXXX), or a \'literal string\''],
  [/zero|underscore|numeric|losslessly/, 'write the number in plain decimal digits, like 8080'],
  [/date/, 'put text in quotes ("..."); TOML reads an unquoted 2024-01-01 as a date'],
  [/nested/, 'nest arrays and tables less deeply'],
];

function syntaxError(e: unknown, file: string, text: string): ManifestError {
  if (!(e instanceof TomlError)) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return new ManifestError(file, 1, 1, `the file cannot be read as TOML (${why})`, 'check it with a TOML validator');
  }
  const at = (n: number) => (Number.isSafeInteger(n) && n >= 1 ? n : 1);
  const [line, column] = [at(e.line), at(e.column)];
  const what = (e.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
  const [problem, fix] = endOfLineProblem(what, text.split(/\r?\n/)[line - 1], column)
    ?? [what, SYNTAX_FIXES.find(([re]) => re.test(what))?.[1] ?? 'correct the TOML syntax here (see https://toml.io)'];
  return new ManifestError(file, line, column, `TOML syntax error: ${problem}`, fix);
}

/** smol-toml calls the end of a line that should not end yet a control character or a bad key; say what it is. */
function endOfLineProblem(what: string, line: string | undefined, column: number): [string, string] | null {
  if (line === undefined || column !== line.length + 1) return null;
  if (/control character.*string/.test(what)) return ['the string is not closed on its line', 'close it with the quote that opens it'];
  if (/key/.test(what) && line.trimStart().startsWith('[')) return ['the [table] header is not closed', 'close it with ]'];
  return null;
}

// ---- The schema ----

/** A leaf's problem (it follows "'key' in [table] ") and how to fix it (an example line follows). */
class Bad {
  constructor(readonly problem: string, readonly fix?: string) {}
}

/** A value of `base`'s type, then checked and converted; a Bad becomes an issue at this key. */
function leaf<T extends z.ZodMiniType, O>(base: T, convert: (v: z.output<T>) => O | Bad) {
  return z.pipe(base, z.transform((v: z.output<T>, ctx) => {
    const out = convert(v);
    if (!(out instanceof Bad)) return out as O;
    ctx.issues.push({ code: 'custom', message: out.problem, input: v, params: { fix: out.fix } });
    return z.NEVER;
  }));
}

const NAME = /^[a-z][a-z0-9-]{0,39}$/;
const VERSION = /^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/;
// What the HTTP request line can carry: no spaces, no control characters.
export const URL_PATH = /^\/[^\s\x00-\x1f\x7f]*$/;

const pattern = (re: RegExp, what: string) => leaf(z.string(), (s) => (re.test(s) ? s : new Bad(`is ${show(s)}, not ${what}`)));

const size = (min: number, max: number, range: [string, string]) => leaf(z.string(), (s) => {
  const n = parseSize(s);
  if (n === null) return new Bad(`is ${show(s)}, not a size`, `write a whole number and a unit (B, KiB, MiB, GiB, TiB), from ${range[0]} to ${range[1]}`);
  if (n < min) return new Bad(`is ${show(s)}, less than ${range[0]}`);
  return n > max ? new Bad(`is ${show(s)}, more than ${range[1]}`) : n;
});

const duration = (min: number, max: number, range: [string, string]) => leaf(z.string(), (s) => {
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
const REFERENCE = new RegExp(`^(${DOMAIN_PART}(?:\\.${DOMAIN_PART})*(?::\\d+)?)/${PATH_PART}(?:/${PATH_PART})*`
  + '(:[\\w][\\w.-]{0,127})?(@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$');
const ARCHIVE = 'oci-archive:';

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

const SCHEMA = z.strictObject({
  name: pattern(NAME, 'a name of up to 40 lowercase letters, digits and dashes that starts with a letter'),
  version: pattern(VERSION, 'a version like 1.2.3'),
  description: z._default(z.string(), ''),
  images: z.strictObject({ fedora: flavorImages, alpine: flavorImages }),
  app: z.strictObject({
    command: z.array(leaf(z.string(), (s) => (s === '' || s.includes('\0') ? new Bad(s ? 'holds a NUL character' : 'is empty') : s))),
    port: integer(1, 65535, 'a port'),
    ask: z.optional(urlPath),
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
  health: z.strictObject({
    path: urlPath,
    timeout: duration(1000, 600_000, ['1s', '10m']),
    interval: z._default(duration(10, 10_000, ['10ms', '10s']), 200),
  }),
  smoke: z.optional(z.strictObject({
    method: z.enum(['GET', 'POST']),
    path: urlPath,
    body: z._default(z.string(), ''),
    expect_status: z._default(integer(100, 599, 'an HTTP status'), 200),
    expect_body: z.optional(z.string()),
  })),
});

type Parsed = z.output<typeof SCHEMA>;

/** Every key's expectation and an example line, for messages; also the list of known keys. */
interface Help { want: string; example: string; table?: true }

const imageHelp = (flavor: ImageFlavor, arch: ImageArch): Help => ({
  want: `"${ARCHIVE}<path>" or an image reference with its registry and a tag or digest`,
  example: `${arch} = "localhost/ai-way-${flavor}:0.1.0"`,
});

const HELP: Record<string, Help> = {
  name: { want: 'lowercase letters, digits and dashes, starting with a letter', example: 'name = "selftest"' },
  version: { want: 'a version like 1.2.3', example: 'version = "0.1.0"' },
  description: { want: 'text', example: 'description = "What this appliance does"' },
  images: { want: 'a table', example: '[images.alpine] with x86_64 = "localhost/ai-way-alpine:0.1.0"', table: true },
  'images.fedora': { want: 'a table', example: '[images.fedora] with x86_64 = "localhost/ai-way-fedora:0.1.0"', table: true },
  'images.alpine': { want: 'a table', example: '[images.alpine] with x86_64 = "localhost/ai-way-alpine:0.1.0"', table: true },
  'images.fedora.x86_64': imageHelp('fedora', 'x86_64'),
  'images.fedora.aarch64': imageHelp('fedora', 'aarch64'),
  'images.alpine.x86_64': imageHelp('alpine', 'x86_64'),
  'images.alpine.aarch64': imageHelp('alpine', 'aarch64'),
  app: { want: 'a table', example: '[app] with command = ["/usr/local/bin/app"] and port = 8080', table: true },
  'app.command': { want: 'an array of text, the first an absolute path', example: 'command = ["/usr/local/bin/app", "--flag"]' },
  'app.port': { want: 'a port from 1 to 65535', example: 'port = 8080' },
  'app.ask': { want: 'a URL path that starts with "/"', example: 'ask = "/ask"' },
  workspace: { want: 'a table', example: '[workspace] with size = "64MiB"', table: true },
  'workspace.size': { want: 'a size from 1MiB to 64GiB', example: 'size = "64MiB"' },
  'workspace.exec': { want: 'true or false', example: 'exec = false' },
  resources: { want: 'a table', example: '[resources] with memory = "256MiB", cpus = 1 and pids = 64', table: true },
  'resources.memory': { want: 'a size from 16MiB to 1TiB', example: 'memory = "256MiB"' },
  'resources.cpus': { want: 'a number of processors above 0, at most 1024', example: 'cpus = 1' },
  'resources.pids': { want: 'a whole number of processes from 8 to 65536', example: 'pids = 64' },
  gpu: { want: 'a table', example: '[gpu] with wish = "auto"', table: true },
  'gpu.wish': { want: 'one of "auto", "required", "none"', example: 'wish = "auto"' },
  health: { want: 'a table', example: '[health] with path = "/health" and timeout = "10s"', table: true },
  'health.path': { want: 'a URL path that starts with "/"', example: 'path = "/health"' },
  'health.timeout': { want: 'a duration from 1s to 10m', example: 'timeout = "10s"' },
  'health.interval': { want: 'a duration from 10ms to 10s', example: 'interval = "200ms"' },
  smoke: { want: 'a table', example: '[smoke] with method = "POST" and path = "/ask"', table: true },
  'smoke.method': { want: '"GET" or "POST"', example: 'method = "POST"' },
  'smoke.path': { want: 'a URL path that starts with "/"', example: 'path = "/ask"' },
  'smoke.body': { want: 'text', example: 'body = "hello"' },
  'smoke.expect_status': { want: 'an HTTP status from 100 to 599', example: 'expect_status = 200' },
  'smoke.expect_body': { want: 'text the answer must contain', example: 'expect_body = "hello"' },
};

/** Rules across keys, checked once every key is valid on its own. */
function crossCheck(p: Parsed): Problem[] {
  const problems: Problem[] = [];
  const flavors = Object.entries(p.images).filter(([, archs]) => archs !== undefined);
  if (flavors.length === 0) {
    problems.push({ path: ['images'], problem: '[images] names no image', fix: `add ${HELP['images.alpine']!.example}` });
  }
  for (const [flavor, archs] of flavors) {
    if (Object.values(archs!).every((a) => a === undefined)) {
      problems.push({ path: ['images', flavor], problem: `[images.${flavor}] names no image`,
        fix: `add x86_64 = "..." or aarch64 = "..." under it, or remove it` });
    }
  }
  const program = p.app.command[0];
  if (program === undefined) {
    problems.push({ path: ['app', 'command'], problem: '\'command\' in [app] is empty', fix: `name the program to run, like ${HELP['app.command']!.example}` });
  } else if (!program.startsWith('/')) {
    problems.push({ path: ['app', 'command', 0], problem: `element 1 of 'command' in [app] is ${show(program)}, not an absolute path`,
      fix: 'write the program\'s full path inside the image, like "/usr/local/bin/app"' });
  }
  if (p.health.interval > p.health.timeout) {
    problems.push({ path: ['health', 'interval'], problem: '\'interval\' in [health] is longer than \'timeout\'', fix: 'make the interval shorter than the timeout' });
  }
  if (p.smoke && p.smoke.method === 'GET' && p.smoke.body !== '') {
    problems.push({ path: ['smoke', 'body'], problem: '\'body\' in [smoke] is set, but a GET request sends no body', fix: 'use method = "POST", or remove body' });
  }
  return problems;
}

function toManifest(p: Parsed, file: string): Manifest {
  const folder = path.dirname(file);
  const images: Manifest['images'] = {};
  for (const flavor of ['fedora', 'alpine'] as const) {
    const archs = p.images[flavor];
    if (!archs) continue;
    const out: Partial<Record<ImageArch, ImageSource>> = {};
    for (const arch of ['x86_64', 'aarch64'] as const) {
      const src = archs[arch];
      if (src) out[arch] = src.kind === 'oci-archive' ? { kind: 'oci-archive', path: path.resolve(folder, src.path) } : src;
    }
    images[flavor] = out;
  }
  return {
    file,
    name: p.name,
    version: p.version,
    description: p.description,
    images,
    app: { command: p.app.command, port: p.app.port, ask: p.app.ask ?? null },
    workspace: { sizeBytes: p.workspace.size, exec: p.workspace.exec },
    resources: { memBytes: p.resources.memory, cpus: p.resources.cpus, pids: p.resources.pids },
    gpu: { wish: p.gpu.wish },
    health: { path: p.health.path, timeoutMs: p.health.timeout, intervalMs: p.health.interval },
    smoke: p.smoke
      ? { method: p.smoke.method, path: p.smoke.path, body: p.smoke.body, expectStatus: p.smoke.expect_status, expectBody: p.smoke.expect_body ?? null }
      : null,
  };
}

// ---- From issues to one message ----

interface Problem { path: TomlPath; problem: string; fix: string; missing?: true }

function explain(issue: z.core.$ZodIssue, doc: unknown): Problem[] {
  const at = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => unknownKey(at, k));
  const help = helpFor(at);
  if (issue.code === 'custom') {
    const how = typeof issue.params?.fix === 'string' ? issue.params.fix : `write ${help.want}`;
    return [{ path: at, problem: `${where(at)} ${issue.message}`, fix: `${how}, like ${help.example}` }];
  }
  const value = valueAt(doc, at);
  // Array elements here are all text; the help describes the whole array.
  const want = typeof at.at(-1) === 'number' ? 'text' : help.want;
  if (value !== undefined) return [{ path: at, problem: `${where(at)} must be ${want}, not ${describe(value)}`, fix: `write it like ${help.example}` }];
  const key = String(at.at(-1));
  const parent = at.slice(0, -1);
  if (help.table) return [{ path: at, problem: `the manifest has no [${tableName(at)}] table`, fix: `add ${help.example}`, missing: true }];
  if (parent.length === 0) {
    return [{ path: at, problem: `the manifest has no ${quoteKey(key)}`, fix: `add ${help.example} above the first [table]`, missing: true }];
  }
  return [{ path: at, problem: `[${tableName(parent)}] has no ${quoteKey(key)}`, fix: `add ${help.example} (${help.want})`, missing: true }];
}

// Common spellings of the architectures, which no edit distance would find.
const ALIASES = new Map([['amd64', 'x86_64'], ['x64', 'x86_64'], ['x86-64', 'x86_64'], ['arm64', 'aarch64']]);

function unknownKey(table: TomlPath, key: string): Problem {
  const problem = `unknown key ${quoteKey(key)}${table.length ? ` in [${tableName(table)}]` : ''}`;
  const path = [...table, key];
  const known = childrenOf(table);
  const alias = ALIASES.get(key.toLowerCase());
  const near = alias && known.includes(alias) ? alias : closest(key, known);
  if (near) return { path, problem, fix: `did you mean ${quoteKey(near)}?` };
  // A key that belongs elsewhere: most often a top-level key written below a [table] header.
  const homes = Object.keys(HELP).map((k) => k.split('.')).filter((p) => p.at(-1) === key && p.slice(0, -1).join('.') !== table.join('.'));
  if (homes.some((p) => p.length === 1)) return { path, problem, fix: 'keys below a [table] header belong to it: move this one above the first [table]' };
  if (homes.length) return { path, problem, fix: `it belongs in ${homes.map((p) => `[${p.slice(0, -1).join('.')}]`).join(' or ')}: move it there` };
  const owner = table.length ? `[${tableName(table)}]` : 'the top level';
  return { path, problem, fix: `remove it (${owner} takes ${known.join(', ')})` };
}

function childrenOf(table: TomlPath): string[] {
  const prefix = table.length ? `${table.join('.')}.` : '';
  return Object.keys(HELP).filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('.')).map((k) => k.slice(prefix.length));
}

/** The problem to report: the first in the file, except that a missing key comes last (a typo often explains it). */
function firstProblem(problems: Problem[], text: string, file: string): ManifestError {
  const locate = keyLocator(text);
  const placed = problems.map((p) => ({ ...p, ...locate(p.path) }));
  placed.sort((a, b) => Number(a.missing ?? false) - Number(b.missing ?? false) || a.line - b.line || a.column - b.column);
  const p = placed[0] ?? { line: 1, column: 1, problem: 'the manifest is not valid', fix: 'compare it with images/selftest/appliance.toml' };
  return new ManifestError(file, p.line, p.column, p.problem, p.fix);
}

function helpFor(at: TomlPath): Help {
  const key = at.filter((p) => typeof p === 'string').join('.');
  return Object.hasOwn(HELP, key) ? HELP[key]! : { want: 'a valid value', example: 'the examples in images/*/appliance.toml' };
}

function valueAt(doc: unknown, at: TomlPath): unknown {
  let v = doc;
  for (const k of at) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

/** "'memory' in [resources]", "'name'", "element 2 of 'command' in [app]". */
function where(at: TomlPath): string {
  const last = at.at(-1);
  if (typeof last === 'number') return `element ${last + 1} of ${where(at.slice(0, -1))}`;
  const parent = at.slice(0, -1);
  return `${quoteKey(String(last))}${parent.length ? ` in [${tableName(parent)}]` : ''}`;
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;
const quoteKey = (k: string) => (BARE_KEY.test(k) ? `'${k}'` : show(k));
const tableName = (at: TomlPath) => at.map((k) => (typeof k === 'number' ? `${k}` : BARE_KEY.test(k) ? k : show(k))).join('.');

function describe(v: unknown): string {
  if (typeof v === 'string') return show(v);
  if (typeof v === 'number') return `the number ${Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : v}`;
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Date) return 'a date';
  return typeof v === 'object' && v !== null ? 'a table' : typeof v;
}

/** A value quoted for a message: escaped and short. */
function show(s: string): string {
  return s.length > 40 ? `${JSON.stringify(s.slice(0, 40)).slice(0, -1)}…"` : JSON.stringify(s);
}

/** Control characters and line separators escaped: the message stays one line whatever the input. */
function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

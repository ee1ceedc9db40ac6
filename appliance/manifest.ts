// The appliance manifest (images/<name>/appliance.toml): what to boot, how big, and how to tell it
// works. Parsing is pure and total: any text gives a Manifest or a ManifestError that names
// file:line:column and what to do, on one line. The schema is in manifest-schema.ts, the help that
// turns its issues into messages in manifest-help.ts.
import path from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import * as z from 'zod/mini';
import type { ImageArch, ImageFlavor } from './image-policy.ts';
import { firstProblem, ManifestError, show, type Problem } from './manifest-error.ts';
import { explain, HELP } from './manifest-help.ts';
import { editDistance } from './closest.ts';
import { parseDuration } from './duration.ts';
import { Failure } from './failures.ts';
import { KiB, parseSize, SCHEMA, URL_PATH, type GpuWish, type ImageSource, type Parsed } from './manifest-schema.ts';

export { editDistance, ManifestError, parseDuration, parseSize, URL_PATH };
export type { GpuWish, ImageSource };

export interface Manifest {
  /** Absolute path of the manifest. */
  file: string;
  name: string;
  version: string;
  description: string;
  /** At least one flavor, each with at least one architecture; archive paths are absolute. */
  images: Partial<Record<ImageFlavor, Partial<Record<ImageArch, ImageSource>>>>;
  /**
   * ask: where questions go (POST, the question as the body); null when the app takes none.
   * status, documents: where the app says how it runs and what became of each file (JSON); null when it does not.
   */
  app: { command: string[]; port: number; ask: string | null; status: string | null; documents: string | null };
  workspace: { sizeBytes: number; exec: boolean };
  resources: { memBytes: number; cpus: number; pids: number };
  gpu: { wish: GpuWish };
  /** any: the host's own way (a container on Linux, a virtual machine elsewhere); vm: a kernel of its own on every host. */
  isolation: { mode: 'any' | 'vm' };
  /** The app needs a model (a [model] table); default: a name in the model store. null: it needs none. */
  model: { default: string | null } | null;
  health: { path: string; timeoutMs: number; intervalMs: number };
  /** null: no smoke check. document: a file (absolute path) added before the question; expectSource: a file the answer must cite. */
  smoke: {
    method: 'GET' | 'POST';
    path: string;
    body: string;
    expectStatus: number;
    expectBody: string | null;
    document: string | null;
    expectSource: string | null;
  } | null;
}

/** A manifest is a few hundred bytes; a bigger file is the wrong file. */
export const MAX_MANIFEST_BYTES = 64 * 1024;

/** The manifest in `text`; `file` names it in errors, and its folder anchors relative archive paths. */
export function parseManifest(text: string, file: string): Manifest {
  if (LONE_SURROGATE.test(text)) throw notUtf8(file);
  if (Buffer.byteLength(text, 'utf8') > MAX_MANIFEST_BYTES) throw tooBig(file);
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') {
    throw new ManifestError(
      file,
      1,
      1,
      'the file is empty',
      "write the appliance's name, version, [images], [app], [workspace], [resources] and [health]",
    );
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
const tooBig = (file: string) =>
  new ManifestError(
    file,
    1,
    1,
    `the file is larger than the ${MAX_MANIFEST_BYTES / KiB} KiB a manifest may have`,
    'check that this is the appliance.toml',
  );

// smol-toml's messages say what is wrong; these say what to do. First match wins.
const SYNTAX_FIXES: [RegExp, string][] = [
  [/unfinished string/, 'close the string with the quote that opens it'],
  [/invalid value/, 'write text in quotes ("..."), or a number, true, false, an [array] or a {table}'],
  [/redefine/, 'each key and [table] may appear only once: remove or merge the duplicate'],
  [/end-of-line/, 'put each key = value on a line of its own'],
  [/key/, 'write key = value; a key is letters, digits, _ and - (or quoted), and a [table] header is closed by ]'],
  [/array|comma|structure|table/, 'separate items with commas and close [arrays] with ] and {tables} with }'],
  [/control character/, 'remove the control character, or write it as an escape like \\t inside "..."'],
  [/escape/, "use an escape TOML knows (\\n, \\t, \\\", \\\\, \\uXXXX), or a 'literal string'"],
  [/zero|underscore|numeric|losslessly/, 'write the number in plain decimal digits, like 8080'],
  [/date/, 'put text in quotes ("..."); TOML reads an unquoted 2024-01-01 as a date'],
  [/nested/, 'nest arrays and tables less deeply'],
];

/** A TOML syntax error of `file` as one line with file:line:column and what to do; any TOML file of ai-way's reads it so. */
export function syntaxError(e: unknown, file: string, text: string): ManifestError {
  if (!(e instanceof TomlError)) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return new ManifestError(file, 1, 1, `the file cannot be read as TOML (${why})`, 'check it with a TOML validator');
  }
  const at = (n: number) => (Number.isSafeInteger(n) && n >= 1 ? n : 1);
  const [line, column] = [at(e.line), at(e.column)];
  const what = (e.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
  const [problem, fix] = endOfLineProblem(what, text.split(/\r?\n/)[line - 1], column) ?? [
    what,
    SYNTAX_FIXES.find(([re]) => re.test(what))?.[1] ?? 'correct the TOML syntax here (see https://toml.io)',
  ];
  return new ManifestError(file, line, column, `TOML syntax error: ${problem}`, fix);
}

/** smol-toml calls the end of a line that should not end yet a control character or a bad key; say what it is. */
function endOfLineProblem(what: string, line: string | undefined, column: number): [string, string] | null {
  if (line === undefined || column !== line.length + 1) return null;
  if (/control character.*string/.test(what)) return ['the string is not closed on its line', 'close it with the quote that opens it'];
  if (/key/.test(what) && line.trimStart().startsWith('[')) return ['the [table] header is not closed', 'close it with ]'];
  return null;
}

// ---- After the schema ----

/** Rules across keys, checked once every key is valid on its own. */
function crossCheck(p: Parsed): Problem[] {
  const problems: Problem[] = [];
  const flavors = Object.entries(p.images).filter(([, archs]) => archs !== undefined);
  if (flavors.length === 0) {
    problems.push({ path: ['images'], problem: '[images] names no image', fix: `add ${HELP['images.alpine']!.example}` });
  }
  for (const [flavor, archs] of flavors) {
    if (Object.values(archs!).every((a) => a === undefined)) {
      problems.push({
        path: ['images', flavor],
        problem: `[images.${flavor}] names no image`,
        fix: `add x86_64 = "..." or aarch64 = "..." under it, or remove it`,
      });
    }
  }
  const program = p.app.command[0];
  if (program === undefined) {
    problems.push({
      path: ['app', 'command'],
      problem: "'command' in [app] is empty",
      fix: `name the program to run, like ${HELP['app.command']!.example}`,
    });
  } else if (!program.startsWith('/')) {
    problems.push({
      path: ['app', 'command', 0],
      problem: `element 1 of 'command' in [app] is ${show(program)}, not an absolute path`,
      fix: 'write the program\'s full path inside the image, like "/usr/local/bin/app"',
    });
  }
  if (p.health.interval > p.health.timeout) {
    problems.push({
      path: ['health', 'interval'],
      problem: "'interval' in [health] is longer than 'timeout'",
      fix: 'make the interval shorter than the timeout',
    });
  }
  if (p.smoke && p.smoke.method === 'GET' && p.smoke.body !== '') {
    problems.push({
      path: ['smoke', 'body'],
      problem: "'body' in [smoke] is set, but a GET request sends no body",
      fix: 'use method = "POST", or remove body',
    });
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
    app: {
      command: p.app.command,
      port: p.app.port,
      ask: p.app.ask ?? null,
      status: p.app.status ?? null,
      documents: p.app.documents ?? null,
    },
    workspace: { sizeBytes: p.workspace.size, exec: p.workspace.exec },
    resources: { memBytes: p.resources.memory, cpus: p.resources.cpus, pids: p.resources.pids },
    gpu: { wish: p.gpu.wish },
    isolation: { mode: p.isolation.mode },
    model: p.model ? { default: p.model.default ?? null } : null,
    health: { path: p.health.path, timeoutMs: p.health.timeout, intervalMs: p.health.interval },
    smoke: p.smoke
      ? {
          method: p.smoke.method,
          path: p.smoke.path,
          body: p.smoke.body,
          expectStatus: p.smoke.expect_status,
          expectBody: p.smoke.expect_body ?? null,
          document: p.smoke.document === undefined ? null : path.resolve(folder, p.smoke.document),
          expectSource: p.smoke.expect_source ?? null,
        }
      : null,
  };
}

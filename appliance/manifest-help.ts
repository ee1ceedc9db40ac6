// What each key of the manifest wants, with an example line, and how zod's issues become
// problems a person can act on: a wrong value, a missing key or table, an unknown key (a typo, or
// a key below the wrong [table]).
import type * as z from 'zod/mini';
import type { ImageArch, ImageFlavor } from './image-policy.ts';
import { quoteKey, show, tableName, type Problem } from './manifest-error.ts';
import { ARCHIVE } from './manifest-schema.ts';
import type { TomlPath } from './toml-locate.ts';
import { closest } from './closest.ts';

/** Every key's expectation and an example line, for messages; also the list of known keys. */
interface Help {
  want: string;
  example: string;
  table?: true;
}

const imageHelp = (flavor: ImageFlavor, arch: ImageArch): Help => ({
  want: `"${ARCHIVE}<path>" or an image reference with its registry and a tag or digest`,
  example: `${arch} = "localhost/ai-way-${flavor}:0.1.0"`,
});

export const HELP: Record<string, Help> = {
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
  'app.status': { want: 'a URL path that starts with "/"', example: 'status = "/status"' },
  'app.documents': { want: 'a URL path that starts with "/"', example: 'documents = "/documents"' },
  workspace: { want: 'a table', example: '[workspace] with size = "64MiB"', table: true },
  'workspace.size': { want: 'a size from 1MiB to 64GiB', example: 'size = "64MiB"' },
  'workspace.exec': { want: 'true or false', example: 'exec = false' },
  resources: { want: 'a table', example: '[resources] with memory = "256MiB", cpus = 1 and pids = 64', table: true },
  'resources.memory': { want: 'a size from 16MiB to 1TiB', example: 'memory = "256MiB"' },
  'resources.cpus': { want: 'a number of processors above 0, at most 1024', example: 'cpus = 1' },
  'resources.pids': { want: 'a whole number of processes from 8 to 65536', example: 'pids = 64' },
  gpu: { want: 'a table', example: '[gpu] with wish = "auto"', table: true },
  'gpu.wish': { want: 'one of "auto", "required", "none"', example: 'wish = "auto"' },
  isolation: { want: 'a table', example: '[isolation] with mode = "vm"', table: true },
  'isolation.mode': { want: '"any" or "vm"', example: 'mode = "vm"' },
  model: { want: 'a table', example: '[model] with default = "tiny"', table: true },
  'model.default': { want: 'a name from "ai-way models list"', example: 'default = "tiny"' },
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
  'smoke.document': { want: "a file's path, relative to the manifest", example: 'document = "smoke/notes.md"' },
  'smoke.expect_source': { want: 'the name of a file the answer must cite', example: 'expect_source = "notes.md"' },
};

export function explain(issue: z.core.$ZodIssue, doc: unknown): Problem[] {
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
  if (value !== undefined)
    return [{ path: at, problem: `${where(at)} must be ${want}, not ${describe(value)}`, fix: `write it like ${help.example}` }];
  const key = String(at.at(-1));
  const parent = at.slice(0, -1);
  if (help.table) return [{ path: at, problem: `the manifest has no [${tableName(at)}] table`, fix: `add ${help.example}`, missing: true }];
  if (parent.length === 0) {
    return [
      { path: at, problem: `the manifest has no ${quoteKey(key)}`, fix: `add ${help.example} above the first [table]`, missing: true },
    ];
  }
  return [
    { path: at, problem: `[${tableName(parent)}] has no ${quoteKey(key)}`, fix: `add ${help.example} (${help.want})`, missing: true },
  ];
}

// Common spellings of the architectures, which no edit distance would find.
const ALIASES = new Map([
  ['amd64', 'x86_64'],
  ['x64', 'x86_64'],
  ['x86-64', 'x86_64'],
  ['arm64', 'aarch64'],
]);

function unknownKey(table: TomlPath, key: string): Problem {
  const problem = `unknown key ${quoteKey(key)}${table.length ? ` in [${tableName(table)}]` : ''}`;
  const path = [...table, key];
  const known = childrenOf(table);
  const alias = ALIASES.get(key.toLowerCase());
  const near = alias && known.includes(alias) ? alias : closest(key, known);
  if (near) return { path, problem, fix: `did you mean ${quoteKey(near)}?` };
  // A key that belongs elsewhere: most often a top-level key written below a [table] header.
  const homes = Object.keys(HELP)
    .map((k) => k.split('.'))
    .filter((p) => p.at(-1) === key && p.slice(0, -1).join('.') !== table.join('.'));
  if (homes.some((p) => p.length === 1))
    return { path, problem, fix: 'keys below a [table] header belong to it: move this one above the first [table]' };
  if (homes.length)
    return { path, problem, fix: `it belongs in ${homes.map((p) => `[${p.slice(0, -1).join('.')}]`).join(' or ')}: move it there` };
  const owner = table.length ? `[${tableName(table)}]` : 'the top level';
  return { path, problem, fix: `remove it (${owner} takes ${known.join(', ')})` };
}

function childrenOf(table: TomlPath): string[] {
  const prefix = table.length ? `${table.join('.')}.` : '';
  return Object.keys(HELP)
    .filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('.'))
    .map((k) => k.slice(prefix.length));
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

function describe(v: unknown): string {
  if (typeof v === 'string') return show(v);
  if (typeof v === 'number') return `the number ${Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : v}`;
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Date) return 'a date';
  return typeof v === 'object' && v !== null ? 'a table' : typeof v;
}

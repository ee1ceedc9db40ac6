// A smoke file (`run --smoke FILE.toml`): a CI author's own documents and questions, and what each
// answer must hold. Parsing is pure and total, as the manifest's is: any text gives a SmokeFile or
// one line with file:line:column and what to do.
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { firstProblem, ManifestError, quoteKey, show, type Problem } from './manifest-error.ts';
import { syntaxError } from './manifest.ts';

export interface SmokeQuestion {
  /** The question, sent as the body of a POST to the appliance's [app] ask path. */
  ask: string;
  /** Text the answer must contain; null: none asked for. */
  contains: string | null;
  /** A regular expression (JavaScript syntax) the answer must match; null: none asked for. */
  matches: RegExp | null;
  /** Files the answer must cite, by name. */
  sources: string[];
}

export interface SmokeFile {
  file: string;
  /** Absolute paths, added before the first question. */
  documents: string[];
  questions: SmokeQuestion[];
}

export const MAX_SMOKE_FILE_BYTES = 64 * 1024;

const EXAMPLE = 'documents = ["notes.md"] and [[questions]] with ask = "...", contains = "..."';
const QUESTION_KEYS = new Set(['ask', 'contains', 'matches', 'sources']);

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** The smoke file in `text`; `file` names it in errors, and its folder anchors the documents' paths. */
export function parseSmokeFile(text: string, file: string): SmokeFile {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let doc: Table;
  try {
    doc = parseToml(body) as Table;
  } catch (e) {
    throw syntaxError(e, file, body);
  }
  const problems: Problem[] = [];
  const bad = (at: Problem['path'], problem: string, fix: string, missing?: true) =>
    problems.push({ path: at, problem, fix, ...(missing ? { missing } : {}) });
  for (const k of Object.keys(doc))
    if (k !== 'documents' && k !== 'questions') bad([k], `unknown key ${quoteKey(k)}`, `a smoke file has ${EXAMPLE}`);
  const documents = strings(doc.documents, ['documents'], 'documents', bad).map((d, i) => {
    if (path.isAbsolute(d)) bad(['documents', i], `document ${show(d)} is an absolute path`, 'write it relative to the smoke file');
    return path.resolve(path.dirname(path.resolve(file)), d);
  });
  const questions = Array.isArray(doc.questions) ? doc.questions : [];
  if (doc.questions !== undefined && (!Array.isArray(doc.questions) || !doc.questions.every(isTable)))
    bad(['questions'], "'questions' is not a list of [[questions]] tables", `write ${EXAMPLE}`);
  else if (questions.length === 0) bad(['questions'], 'the file asks no question', `add ${EXAMPLE}`, true);
  const parsed = questions.filter(isTable).map((q, i) => question(q, i, bad));
  if (problems.length) throw firstProblem(problems, body, file);
  return { file: path.resolve(file), documents, questions: parsed };
}

type Bad = (at: Problem['path'], problem: string, fix: string, missing?: true) => void;

function question(q: Table, i: number, bad: Bad): SmokeQuestion {
  const at = (k: string) => ['questions', i, k];
  for (const k of Object.keys(q))
    if (!QUESTION_KEYS.has(k)) bad(at(k), `unknown key ${quoteKey(k)} in a [[questions]] table`, 'use ask, contains, matches or sources');
  if (typeof q.ask !== 'string' || q.ask.trim() === '')
    bad(q.ask === undefined ? ['questions', i] : at('ask'), "'ask' is missing or empty", 'write the question: ask = "..."');
  const text = (k: 'contains' | 'matches') => {
    if (q[k] === undefined) return null;
    if (typeof q[k] === 'string' && q[k] !== '') return q[k];
    bad(at(k), `'${k}' is not a text of at least one character`, `write ${k} = "..."`);
    return null;
  };
  const contains = text('contains');
  const pattern = text('matches');
  let matches: RegExp | null = null;
  if (pattern !== null) {
    try {
      matches = new RegExp(pattern, 'u');
    } catch (e) {
      bad(at('matches'), `'matches' is not a regular expression (${(e as Error).message})`, 'write a JavaScript regular expression');
    }
  }
  return { ask: String(q.ask ?? ''), contains, matches, sources: strings(q.sources, at('sources'), 'sources', bad) };
}

function strings(v: unknown, at: Problem['path'], key: string, bad: Bad): string[] {
  if (v === undefined) return [];
  if (Array.isArray(v) && v.every((s) => typeof s === 'string' && s !== '')) return v as string[];
  bad(at, `'${key}' is not a list of file names`, `write ${key} = ["notes.md"]`);
  return [];
}

/** Reads and parses a smoke file through `read` (which refuses what is not a regular file of at most `maxBytes`). */
export async function loadSmokeFile(file: string, read: (file: string, maxBytes: number) => Promise<Uint8Array>): Promise<SmokeFile> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await read(file, MAX_SMOKE_FILE_BYTES));
  } catch (e) {
    const { code, what } = (e ?? {}) as { code?: string; what?: string };
    const problem =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EFBIG'
          ? `the file is larger than the ${MAX_SMOKE_FILE_BYTES / 1024} KiB a smoke file may have`
          : code === 'ENOTREG'
            ? `this is ${what ?? 'not a regular file'}`
            : e instanceof TypeError
              ? 'the file is not UTF-8 text'
              : `the file cannot be read (${code ?? (e as Error).message})`;
    throw new ManifestError(file, 1, 1, problem, 'give the path of a smoke file (see "Smoke tests in CI" in the README)');
  }
  return parseSmokeFile(text, file);
}

// A manifest's errors: one line each, file:line:column, what is wrong and what to do. Values and
// keys are quoted so that a message stays one line, whatever the manifest holds.
import { keyLocator, type TomlPath } from './toml-locate.ts';
import { Failure } from './failures.ts';

export class ManifestError extends Failure {
  override name = 'ManifestError';
  /** What is wrong, without its position; `fix` says what to do. */
  readonly problem: string;

  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    problem: string,
    fix: string,
  ) {
    super('manifest', `${oneLine(file)}:${line}:${column}: ${oneLine(problem)}`, { fix: oneLine(fix) });
    this.problem = oneLine(problem);
  }
}

/** What is wrong at a key, and its fix; `missing`: the key is absent. */
export interface Problem {
  path: TomlPath;
  problem: string;
  fix: string;
  missing?: true;
}

/** The problem to report: the first in the file, except that a missing key comes last (a typo often explains it). */
export function firstProblem(problems: Problem[], text: string, file: string): ManifestError {
  const locate = keyLocator(text);
  const placed = problems.map((p) => ({ ...p, ...locate(p.path) }));
  placed.sort((a, b) => Number(a.missing ?? false) - Number(b.missing ?? false) || a.line - b.line || a.column - b.column);
  const p = placed[0] ?? {
    line: 1,
    column: 1,
    problem: 'the manifest is not valid',
    fix: 'compare it with images/selftest/appliance.toml',
  };
  return new ManifestError(file, p.line, p.column, p.problem, p.fix);
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;
export const quoteKey = (k: string) => (BARE_KEY.test(k) ? `'${k}'` : show(k));
export const tableName = (at: TomlPath) => at.map((k) => (typeof k === 'number' ? `${k}` : BARE_KEY.test(k) ? k : show(k))).join('.');

/** A value quoted for a message: escaped and short. */
export function show(s: string): string {
  return s.length > 40 ? `${JSON.stringify(s.slice(0, 40)).slice(0, -1)}…"` : JSON.stringify(s);
}

/** Control characters and line separators escaped: the message stays one line whatever the input. */
function oneLine(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it escapes
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// Whether an answer passes the manifest's smoke check, or a smoke file's question, judged from what was decoded of it. Pure.
import type { Manifest } from '../../appliance/manifest.ts';
import type { AnswerSummary } from './answer-stream.ts';
import type { SmokeQuestion } from '../../appliance/smoke-file.ts';

/** An app's answer, read whole: its status, whether it came as a stream of JSON lines, and what it said. */
export interface Answer extends AnswerSummary {
  status: number;
  streamed: boolean;
}

/** Why the answer fails the check, or null when it passes. */
export function smokeProblem(s: NonNullable<Manifest['smoke']>, a: Answer): string | null {
  const expected = `HTTP ${s.expectStatus}${s.expectBody ? ` containing "${s.expectBody}"` : ''}`;
  if (a.status !== s.expectStatus || (s.expectBody !== null && !a.body.includes(s.expectBody)))
    return `expected ${expected}, got HTTP ${a.status}: ${a.body.slice(0, 200)}`;
  if (a.error !== null) return `the app failed to answer: ${a.error}`;
  if (a.streamed && a.body === '') return 'the answer streamed no text';
  if (s.expectSource !== null && !a.sources.some((x) => x.file === s.expectSource)) {
    const cited = [...new Set(a.sources.map((x) => x.file))];
    return `the answer did not cite ${s.expectSource} (it cited ${cited.length ? cited.join(', ') : 'nothing'})`;
  }
  return null;
}

/** Why an answer fails a smoke file's question, or null when it passes. */
export function questionProblem(q: SmokeQuestion, a: Answer): string | null {
  if (a.status !== 200) return `expected HTTP 200, got HTTP ${a.status}: ${a.body.slice(0, 200)}`;
  if (a.error !== null) return `the app failed to answer: ${a.error}`;
  if (a.body.trim() === '') return 'the answer is empty';
  if (q.contains !== null && !a.body.includes(q.contains)) return `the answer does not contain "${q.contains}"`;
  if (q.matches !== null && !q.matches.test(a.body)) return `the answer does not match /${q.matches.source}/`;
  const cited = new Set(a.sources.map((x) => x.file));
  const missing = q.sources.filter((s) => !cited.has(s));
  if (missing.length) return `the answer did not cite ${missing.join(', ')} (it cited ${cited.size ? [...cited].join(', ') : 'nothing'})`;
  return null;
}

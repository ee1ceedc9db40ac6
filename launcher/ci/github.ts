// What a run tells GitHub Actions: workflow-command annotations (::error::, ::warning::) and a
// Markdown step summary with the isolation table and the timings. Pure: the caller writes them.
import { factState, type RunRecord, unasked } from './record.ts';

/** A message of a workflow command, escaped as GitHub's runner unescapes it (% first). */
export const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
/** A property value (title=...), which also must not hold its separators. */
export const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

const command = (kind: 'error' | 'warning', title: string, message: string) =>
  `::${kind} title=${escapeProperty(title)}::${escapeData(message)}`;

/** The annotations of a run, one line each: an error per failure, a warning per limit the host does not enforce. */
export function annotations(r: RunRecord): string[] {
  const lines: string[] = [];
  for (const f of r.facts ?? []) {
    const state = factState(f);
    if (state === 'warning') lines.push(command('warning', `ai-way isolation: ${f.id}`, f.detail));
    if (state === 'failed') lines.push(command('error', `ai-way isolation: ${f.id}`, f.detail));
  }
  for (const s of r.smokes.filter((x) => !x.ok))
    lines.push(command('error', 'ai-way smoke question failed', `${s.detail}\nquestion: ${s.question}\nanswer: ${s.answer}`));
  const f = r.failure;
  // A failed question or fact is its own annotation already; any other failure is the run's.
  if (f && f.code !== 'smoke' && f.code !== 'isolation')
    lines.push(command('error', `ai-way run failed (${f.code})`, [f.message, f.fix, f.detail].filter(Boolean).join('\n')));
  return lines;
}

/** Text for one cell of a Markdown table: one line, no column breaks, no HTML (GitHub renders tags in Markdown). */
export const cell = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\s*[\r\n]+\s*/g, ' ');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const MARK = { passed: '✅', warning: '⚠️', failed: '❌' } as const;

/** The step summary: the outcome, the timings, the isolation table and the smoke questions. */
export function stepSummary(r: RunRecord): string {
  const outcome = r.failure ? `❌ failed (exit ${r.exitCode}, ${r.failure.code}): ${cell(r.failure.message)}` : '✅ passed';
  const lines = [
    `## ai-way run: ${cell(r.appliance)}`,
    '',
    outcome,
    '',
    '| step | time |',
    '| --- | --- |',
    `| boot (until the app answered) | ${r.bootMs === null ? 'did not finish' : seconds(r.bootMs)} |`,
    ...r.smokes.map((s) => `| smoke: ${cell(s.question)} | ${seconds(s.ms)} |`),
    `| wipe | ${r.wipe ? seconds(r.wipe.ms) : 'not confirmed'} |`,
    `| whole run | ${seconds(r.durationMs)} |`,
  ];
  if (r.facts) {
    lines.push('', '### Isolation, proven from inside', '', '| | fact | detail |', '| --- | --- | --- |');
    for (const f of r.facts) lines.push(`| ${MARK[factState(f)]} | ${f.id} | ${cell(f.detail)} |`);
  }
  const asked = [
    ...r.smokes.map((s) => [s.ok ? '✅' : '❌', s.question, s.ok ? '' : `${s.detail}; answer: ${s.answer}`]),
    ...unasked(r).map((q) => ['⏭️', q, 'not asked']),
  ];
  if (asked.length) {
    lines.push('', '### Smoke questions', '', '| | question | why it failed |', '| --- | --- | --- |');
    for (const [mark, q, why] of asked) lines.push(`| ${mark} | ${cell(q!)} | ${cell(why!.slice(0, 500))} |`);
  }
  return `${lines.join('\n')}\n`;
}

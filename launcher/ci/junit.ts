// A run as JUnit XML, the report CI systems read: one testsuite per run, a testcase for the boot,
// each isolation fact, each smoke question and the wipe; a failure carries its message and the
// appliance's last log lines. Pure.
import { factState, type RunRecord, unasked } from './record.ts';

// Characters XML 1.0 cannot hold at all, escaped or not: shown as \uXXXX so the file stays well-formed.
const NOT_XML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are what it removes
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text made safe for XML content and attribute values. */
export function xmlText(s: string): string {
  return s
    .replace(NOT_XML, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/[&<>"']/g, (c) => ENTITIES[c]!)
    .replace(/\r/g, '&#13;');
}

/** An attribute keeps its line breaks only as character references. */
const attr = (s: string) => xmlText(s).replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
const seconds = (ms: number) => (ms / 1000).toFixed(3);

interface Case {
  classname: string;
  name: string;
  ms: number;
  failure?: { type: string; message: string; body: string };
  skipped?: string;
  out?: string;
}

function testcase(c: Case): string {
  const head = `    <testcase classname="${attr(c.classname)}" name="${attr(c.name)}" time="${seconds(c.ms)}"`;
  const inner = [
    c.failure
      ? `      <failure type="${attr(c.failure.type)}" message="${attr(c.failure.message)}">${xmlText(c.failure.body)}</failure>`
      : '',
    c.skipped !== undefined ? `      <skipped message="${attr(c.skipped)}"/>` : '',
    c.out ? `      <system-out>${xmlText(c.out)}</system-out>` : '',
  ].filter(Boolean);
  return inner.length ? `${head}>\n${inner.join('\n')}\n    </testcase>` : `${head}/>`;
}

function cases(r: RunRecord): Case[] {
  const base = `ai-way.${r.appliance}`;
  const f = r.failure;
  const tail = r.logTail ? `\n\nthe appliance's last log lines:\n${r.logTail}` : '';
  const failed = (type: string, message: string, body: string) => ({ failure: { type, message, body: `${body}${tail}` } });
  const booted = r.bootMs !== null;
  const out: Case[] = [
    {
      classname: base,
      name: 'boot',
      ms: r.bootMs ?? r.durationMs,
      ...(booted || !f ? {} : failed(f.code, f.message, [f.message, f.fix, f.detail].filter(Boolean).join('\n'))),
    },
  ];
  for (const fact of r.facts ?? []) {
    const state = factState(fact);
    out.push({
      classname: `${base}.isolation`,
      name: fact.id,
      ms: 0,
      ...(state === 'failed' ? failed('isolation', fact.detail, fact.detail) : { out: fact.detail }),
    });
  }
  for (const s of r.smokes) {
    const body = `question: ${s.question}\nanswer (HTTP ${s.status ?? 'none'}): ${s.answer}\n${s.detail}`;
    out.push({
      classname: `${base}.smoke`,
      name: s.question,
      ms: s.ms,
      ...(s.ok ? {} : failed('smoke', `${s.detail} (question: ${s.question})`, body)),
    });
  }
  for (const q of unasked(r)) out.push({ classname: `${base}.smoke`, name: q, ms: 0, skipped: 'not asked: the run ended before' });
  // A failure after the boot that no step above carries (the appliance going away, a timeout).
  if (f && booted && f.code !== 'smoke' && f.code !== 'isolation')
    out.push({ classname: base, name: 'session', ms: r.durationMs, ...failed(f.code, f.message, [f.message, f.fix, f.detail].join('\n')) });
  out.push({
    classname: base,
    name: 'wipe',
    ms: r.wipe?.ms ?? 0,
    ...(r.wipe
      ? { out: r.wipe.reason }
      : r.started
        ? failed('wipe', 'the wipe was not confirmed', 'no wiped event came')
        : { skipped: 'nothing was started' }),
  });
  return out;
}

/** The run as a JUnit XML document. */
export function junitXml(r: RunRecord): string {
  const all = cases(r);
  const failures = all.filter((c) => c.failure).length;
  const skipped = all.filter((c) => c.skipped !== undefined).length;
  const counts = `tests="${all.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(r.durationMs)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="ai-way" ${counts}>`,
    `  <testsuite name="${attr(`ai-way run ${r.appliance}`)}" ${counts} timestamp="${r.startedAt.toISOString()}">`,
    ...all.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

// Session events as a person reads them on a terminal (headless mode without --json).
import type { SessionEvent } from '../session/events.ts';
import type { Style } from './style.ts';
import { terminalText } from './terminal-text.ts';

/** The one text of an event shown on lines of its own; every other text is shown on one line. */
const MULTI_LINE: Partial<Record<SessionEvent['type'], string>> = { answer: 'body', 'answer-token': 'text' };

/** Every text in an event made safe for a terminal: most of it came from the appliance. */
function safeForTerminal<T>(v: T, linesKey?: string, key = ''): T {
  if (typeof v === 'string') return terminalText(v, key === linesKey) as T;
  if (Array.isArray(v)) return v.map((x) => safeForTerminal(x, linesKey)) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, safeForTerminal(x, linesKey, k)])) as T;
  return v;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function renderEvent(event: SessionEvent, s: Style): string {
  const e = safeForTerminal(event, MULTI_LINE[event.type]);
  switch (e.type) {
    case 'progress':
      return s.dim(`  … ${e.message} (${seconds(e.elapsedMs)})`);
    case 'warning':
      return s.yellow(`  ! ${e.message}`);
    case 'verified':
      return [
        `  ${e.proven ? s.green(s.ok) : s.red(s.bad)} isolation ${e.proven ? 'proven' : 'NOT proven'} from inside:`,
        ...e.facts.map((f) => `      ${f.warning ? s.yellow(s.warn) : f.ok ? s.green(s.ok) : s.red(s.bad)} ${f.detail}`),
      ].join('\n');
    case 'ready': {
      const g = e.guest;
      const where = g
        ? `in a virtual machine (${g.flavor} ${g.arch}, kernel ${g.kernel}, ${g.accelerator})`
        : "on this computer's own kernel";
      return s.green(`  ${s.ok} ready in ${seconds(e.bootMs)}, ${where}`);
    }
    case 'smoke':
      return `  ${e.ok ? s.green(s.ok) : s.red(s.bad)} smoke check: ${e.detail} (${seconds(e.ms)})`;
    case 'wiped':
      return s.green(`  ${s.ok} everything was erased in ${seconds(e.ms)}`);
    case 'uploaded':
      return `  ${s.green(s.ok)} added ${e.name} (${e.size} bytes)`;
    case 'refused':
      return s.yellow(`  ! ${e.message}`);
    case 'files':
      return `  ${e.files.length} file(s), ${e.freeBytes} bytes free`;
    case 'answer-token':
      return e.text;
    case 'answer':
      return [
        e.body,
        ...e.sources.map((x) => `  source: ${x.file}: ${x.passage.slice(0, 80)}`),
        ...(e.error ? [s.red(`  ${s.bad} ${e.error}`)] : []),
      ].join('\n');
  }
}

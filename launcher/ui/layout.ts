// What each screen shows, as rows that fit the window: a head that stays, a body that scrolls when
// the window is too small for it, and a foot that stays (the notice, the prompt, the keys). Never
// as tall as the window: a frame that fills it makes the terminal lose rows off its top.
import { formatBytes } from '../render/doctor.ts';
import { terminalText as safe } from '../render/terminal-text.ts';
import { COMMANDS } from './commands.ts';
import { appDetails } from './details.ts';
import type { BootStage, Check, Exchange, UiState } from './state.ts';
import { bar, clip, hang, line, marks, spinner, width, wrap, type Line, type Look } from './text.ts';

export interface View {
  /** Names the view, so a scroll applies to the view it was made in. */
  key: string;
  head: Line[];
  body: Line[];
  foot: Line[];
  /** Where the body starts when it does not fit: its top, or (a conversation) its latest rows. */
  anchor: 'top' | 'bottom';
}

const BOOT_LABEL: Record<BootStage, string> = {
  preparing: 'Preparing',
  starting: 'Starting',
  'checking isolation': 'Checking the isolation',
  'waiting for the app': 'Waiting for the app',
  ready: 'Ready',
};
const BOOT_ORDER = Object.keys(BOOT_LABEL) as BootStage[];
const STALL_MS = 5000;
const MAX_FILES = 6;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const blank: Line = [];
const keys = (l: Look, ...hints: string[]) => wrap(hints.join(marks(l).dot), l.width).map((row) => line(row, { color: 'gray' }));
const notice = (s: UiState, l: Look) => (s.notice ? wrap(safe(s.notice), l.width).map((row) => line(row, { color: 'yellow' })) : []);

function checkRows(c: Check, labels: number, now: number, l: Look): Line[] {
  const m = marks(l);
  const mark =
    c.status === 'pending'
      ? { text: spinner(now, l), color: 'cyan' as const }
      : c.status === 'ok'
        ? { text: m.ok, color: 'green' as const }
        : c.status === 'missing'
          ? { text: m.bad, color: 'red' as const }
          : c.status === 'unknown'
            ? { text: m.unknown, color: 'yellow' as const }
            : { text: m.skip, color: 'gray' as const };
  const missing = c.status === 'missing';
  return [
    ...hang([{ text: '  ' }, mark, { text: ` ${c.label.padEnd(labels)}  ` }], c.detail, l.width),
    ...(missing && c.fix ? hang('      ', c.fix, l.width) : []),
    ...(missing && c.fixCommand ? hang('      ', c.fixCommand, l.width, { bold: true }) : []),
  ];
}

function preflight(s: UiState, l: Look): View {
  const blocked = s.checksDone && s.checks.some((c) => c.status === 'missing' && c.id !== 'gpu-driver');
  const labels = Math.max(0, ...s.checks.map((c) => width(c.label)));
  return {
    key: 'preflight',
    anchor: 'top',
    head: [line('Getting ready', { bold: true }), blank],
    body: s.checks.flatMap((c) => checkRows(c, labels, s.boot.now, l)),
    foot: [blank, ...(blocked ? keys(l, 'r check again', 'c copy the command', 'd details', 'q quit') : []), ...notice(s, l)],
  };
}

/** The prompt, and under it the keys; or, while quitting is asked, that question and its answer. */
function prompt(s: UiState, l: Look, ...hints: string[]): Line[] {
  const m = marks(l);
  const cursor = { text: l.plain ? '' : ' ', inverse: true };
  const room = Math.max(1, l.width - width(m.prompt) - 2);
  const typed = safe(s.input);
  const shown =
    width(typed) > room
      ? m.more +
        Array.from(typed)
          .slice(-(room - width(m.more)))
          .join('')
      : typed;
  const input: Line = [{ text: `${m.prompt} ${shown}` }, ...(s.confirmQuit ? [] : [cursor])];
  if (!s.confirmQuit) return [...notice(s, l), input, ...keys(l, ...hints)];
  const question = `Quit and erase everything? Type y or n, then Enter: ${safe(s.quitAnswer)}`;
  const ask = hang('', question, l.width - 1, { color: 'yellow', bold: true });
  return [...notice(s, l), input, ...ask.slice(0, -1), [...ask.at(-1)!, cursor]];
}

const QUIT_HINT = '/quit or Ctrl-C';

function boot(s: UiState, l: Look): View {
  const m = marks(l);
  const at = BOOT_ORDER.indexOf(s.boot.stage);
  const inStage = s.boot.now - s.boot.stageSince;
  const stage = BOOT_LABEL[s.boot.stage].toLowerCase();
  const stall = `Still ${stage}${l.plain ? '' : ` after ${Math.round(inStage / 1000)} s`}; this can take a while the first time.`;
  const clock = l.plain ? '' : ` ${seconds(s.boot.now - s.boot.startedAt)}`;
  return {
    key: 'boot',
    anchor: 'top',
    head: [line('Starting your private appliance', { bold: true }), blank],
    body: [
      ...BOOT_ORDER.map(
        (b, i): Line => [
          { text: '  ' },
          i < at ? { text: m.ok, color: 'green' } : i === at ? { text: spinner(s.boot.now, l), color: 'cyan' } : { text: ' ' },
          { text: ` ${BOOT_LABEL[b]}` },
        ],
      ),
      blank,
      line(`  ${bar((at + 0.5) / BOOT_ORDER.length, Math.max(4, Math.min(40, l.width - 12)), l)}${clock}`),
      ...(inStage > STALL_MS ? hang('  ', stall, l.width, { color: 'yellow' }) : []),
    ],
    foot: [blank, ...prompt(s, l, '/help', '/details', `${QUIT_HINT} stops`)],
  };
}

const MAX_SOURCES = 5;

/** A file with its size and what the app made of it; a refusal in red, its reason in full under it. */
function fileLines(f: UiState['files'][number], doc: UiState['docs'][string] | undefined, shownName: string, l: Look): Line[] {
  const row = `  ${shownName} ${formatBytes(f.size).padStart(9)}`;
  if (!doc) return [line(row)];
  if (doc.state !== 'refused') return [[{ text: row }, { text: `  ${safe(doc.text)}`, color: 'gray' }]];
  return [line(row, { color: 'red' }), ...hang(`    ${marks(l).bad} `, safe(doc.text), l.width, { color: 'red' })];
}

/** A question, its answer as far as it came, then where the answer came from, how fast, and what went wrong. */
function exchangeRows(x: Exchange, l: Look): Line[] {
  const m = marks(l);
  const sources = x.sources ?? [];
  return [
    ...hang(`${m.prompt} `, safe(x.question), l.width),
    ...wrap(safe(x.answer || (x.done ? '' : m.more), true).trimEnd(), l.width - 2).map((row) =>
      line(`  ${row}`, x.failed ? { color: 'red' } : {}),
    ),
    // A source is one row: its file, then as much of its passage as the row holds.
    ...sources.slice(0, MAX_SOURCES).map((src) => {
      const head = `  ${m.source} ${safe(src.file)}: `;
      const room = l.width - width(head);
      const passage = safe(src.passage.replace(/\s+/g, ' ').trim());
      const cut =
        width(passage) > room
          ? `${Array.from(passage)
              .slice(0, Math.max(0, room - width(m.more)))
              .join('')}${m.more}`
          : passage;
      return [
        { text: head, color: 'cyan' as const },
        { text: cut, color: 'gray' as const },
      ];
    }),
    ...(sources.length > MAX_SOURCES ? [line(`  ${m.source} ${sources.length - MAX_SOURCES} more`, { color: 'cyan' })] : []),
    ...(x.speed ? [line(`  ${safe(x.speed)}`, { color: 'gray' })] : []),
    ...(x.notes ?? []).flatMap((n) => hang('  ', safe(n), l.width, { color: 'yellow' })),
  ];
}

function ready(s: UiState, l: Look): View {
  const m = marks(l);
  const free = s.freeBytes === null ? '' : `${m.dot}${formatBytes(s.freeBytes)} free`;
  const uploads = s.uploads.filter((u) => u.state !== 'done' || s.files.every((f) => f.name !== u.name));
  // Files take what the window can spare: the conversation and the prompt come first.
  const fileRows = Math.min(MAX_FILES, Math.max(1, l.height - 12));
  const files = s.files.length > fileRows ? s.files.slice(0, fileRows - 1) : s.files;
  const nameCols = Math.max(8, l.width - 14);
  // A name longer than its column is cut; a shorter one is padded so the sizes line up.
  const name = (n: string, cols: number, pad = cols) =>
    width(n) > cols
      ? Array.from(n)
          .slice(0, cols - width(m.more))
          .join('') + m.more
      : n.padEnd(pad);
  const percent = (u: UiState['uploads'][number]) => (u.total ? Math.round((u.sent / u.total) * 100) : 0);
  const upName = Math.max(8, Math.min(24, l.width - 30));
  const barCols = Math.max(4, Math.min(20, l.width - upName - 10));
  return {
    key: 'ready',
    anchor: 'bottom',
    head: [
      ...wrap('Ready. Drop files on this window, or type a question.', l.width).map((row) => line(row, { bold: true })),
      line(`Files (${s.files.length}${free})`),
      ...files.flatMap((f) => fileLines(f, s.docs[f.name], name(safe(f.name), nameCols, Math.min(40, nameCols)), l)),
      ...(files.length < s.files.length ? [line(`  ${m.more} and ${s.files.length - files.length} more`)] : []),
      ...uploads.flatMap((u) =>
        u.state === 'refused'
          ? hang(`  ${m.bad} `, safe(u.message ?? u.name), l.width, { color: 'red' })
          : [line(`  ${name(safe(u.name), upName)} ${bar(percent(u) / 100, barCols, l)} ${percent(u)}%`)],
      ),
      ...(s.app?.warnings ?? []).flatMap((w) => hang('! ', safe(w), l.width, { color: 'yellow' })),
    ],
    body: s.exchanges.flatMap((x) => exchangeRows(x, l)),
    foot: prompt(s, l, '/help', '/details', `${QUIT_HINT} quits`),
  };
}

function errorView(s: UiState, l: Look): View {
  const e = s.error!;
  return {
    key: 'error',
    anchor: 'top',
    head: [line('Something went wrong', { color: 'red', bold: true }), blank],
    body: [
      ...wrap(safe(e.message), l.width).map((row) => line(row)),
      blank,
      ...wrap(e.whatToDo, l.width).map((row) => line(row)),
      ...(e.detail ? wrap(safe(e.detail, true).split('\n').slice(-4).join('\n'), l.width).map((row) => line(row, { color: 'gray' })) : []),
      ...(e.logPath ? hang('Log: ', e.logPath, l.width) : []),
    ],
    foot: [blank, ...keys(l, 'd details', 'q quit (everything is erased)')],
  };
}

function theEnd(s: UiState, l: Look): View {
  const done = `Everything was erased${s.erasedMs !== null ? ` (${seconds(s.erasedMs)})` : ''}.`;
  const body =
    s.screen === 'wiping'
      ? [line(`Erasing everything${marks(l).more}`)]
      : [
          ...(s.stoppedEarly ? wrap('Stopped before the appliance was ready, as you asked.', l.width).map((row) => line(row)) : []),
          ...wrap(done, l.width).map((row) => line(row, { color: 'green', bold: true })),
        ];
  return { key: s.screen, anchor: 'top', head: [], body, foot: [] };
}

function overlay(title: string, body: Line[], l: Look): View {
  return {
    key: title,
    anchor: 'top',
    head: [line(title, { bold: true }), line(marks(l).rule.repeat(Math.min(l.width, 60)), { color: 'gray' })],
    body,
    foot: keys(l, 'Esc closes this'),
  };
}

function help(l: Look): View {
  const cols = l.width;
  const say = (text: string) => wrap(text, cols).map((row) => line(row));
  const name = Math.max(...COMMANDS.map((c) => width(c.name))) + 2;
  return overlay(
    'Help',
    [
      ...say("Drop files on this window to add them, or type a file's full path and press Enter; they stay only while ai-way runs."),
      ...say('Type a question and press Enter; the answer comes from your files.'),
      ...say('Everything you type is text, never a key: commands are typed as a whole line.'),
      blank,
      ...COMMANDS.flatMap((c) => hang(c.name.padEnd(name), c.does, cols)),
      ...hang('Ctrl-C'.padEnd(name), 'quit and erase everything; twice, at once', cols),
      ...hang('Esc'.padEnd(name), 'closes this view', cols),
    ],
    l,
  );
}

/** Label and value pairs; the value under its label where the window is narrow. */
function pairs(rows: { label: string; value: string }[], l: Look): Line[] {
  const cols = Math.min(19, Math.max(...rows.map((r) => width(safe(r.label)))));
  return rows.flatMap((r) =>
    l.width >= 60
      ? hang(`${safe(r.label).padEnd(cols)} `, safe(r.value), l.width)
      : [line(safe(r.label), { bold: true }), ...hang('  ', safe(r.value), l.width)],
  );
}

function details(s: UiState, l: Look): View {
  // Before anything started, the checks, with what fixes each (the command as it must be typed).
  const checks = s.checks.flatMap((c) => [
    { label: c.label, value: c.detail || c.status },
    ...(c.status !== 'ok' && c.howTo ? [{ label: '  how to fix', value: c.howTo }] : []),
    ...(c.status !== 'ok' && c.fixCommand ? [{ label: '  command', value: c.fixCommand }] : []),
  ]);
  const rows = s.details.length ? [...s.details, ...appDetails(s.app)] : checks;
  return overlay('Details', rows.length ? pairs(rows, l) : [line('Nothing started yet.')], l);
}

export function view(s: UiState, l: Look): View {
  if (s.overlay === 'help') return help(l);
  if (s.overlay === 'details') return details(s, l);
  switch (s.screen) {
    case 'preflight':
      return preflight(s, l);
    case 'boot':
      return boot(s, l);
    case 'ready':
      return ready(s, l);
    case 'error':
      return errorView(s, l);
    default:
      return theEnd(s, l);
  }
}

/** The rows a frame may use: one less than the window, which a frame must never fill. */
const rowsFor = (l: Look) => Math.max(4, l.height - 1);

/** How the body sits in the room the head and foot leave: the rows shown, and how far it can scroll. */
function placement(v: View, l: Look): { head: Line[]; body: Line[]; foot: Line[]; shown: number; max: number } {
  const rows = rowsFor(l);
  // Short of room, the blank rows go first.
  const tight = v.head.length + v.body.length + v.foot.length > rows;
  const drop = (part: Line[]) => (tight ? part.filter((row) => row.some((span) => span.text)) : part);
  const [body, foot] = [drop(v.body), drop(v.foot)];
  const head = drop(v.head).slice(0, Math.max(0, rows - foot.length - 2));
  const room = Math.max(1, rows - head.length - foot.length);
  const shown = body.length <= room ? body.length : Math.max(1, room - 1); // one row says there is more
  return { head, body, foot, shown, max: body.length - shown };
}

/** What the controller needs to scroll the view on screen: its name, its extent, a page, its anchor. */
export function scrollRange(s: UiState, l: Look): { key: string; max: number; page: number; anchor: View['anchor'] } {
  const v = view(s, l);
  const p = placement(v, l);
  return { key: v.key, max: p.max, page: Math.max(1, p.shown - 1), anchor: v.anchor };
}

/** The rows to draw, none wider than the window and fewer than its height. */
export function frame(s: UiState, l: Look): Line[] {
  const v = view(s, l);
  const { head, body, foot, shown, max } = placement(v, l);
  let window = body;
  if (max > 0) {
    const by = s.scroll.view === v.key ? Math.max(0, Math.min(max, s.scroll.by)) : 0;
    const start = v.anchor === 'top' ? by : max - by;
    const more = `lines ${start + 1}-${start + shown} of ${body.length}${marks(l).dot}${marks(l).scroll}`;
    window = [...body.slice(start, start + shown), line(more, { color: 'gray' })];
  }
  return [...head, ...window, ...foot].slice(0, rowsFor(l)).map((row) => clip(row, l.width));
}
